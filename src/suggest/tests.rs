use super::*;

#[test]
fn recommender_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Recommender>();
}

//! The CSV readers of `normcode agree`: codings (`unit,coder,value`) and spans
//! (`coder,begin,length,category`), then every statistic on what they accept. The first byte
//! picks the format. Invariants: no panic; a statistic is a finite number at most 1, or
//! undefined with a reason.
#![no_main]

use libfuzzer_sys::fuzz_target;
use normcode::reliability::{
    CodingsCsv, Continuum, KappaWeights, Metric, SpansCsv, Stat, bennett_s, cohen_kappa,
    data_report, fleiss_kappa, holsti, krippendorff_alpha, percent_agreement, scott_pi,
    span_report,
};

fn check(name: &str, stat: Stat) {
    if let Ok(value) = stat {
        assert!(value.is_finite(), "{name} = {value}");
        assert!(value <= 1.0 + 1e-9, "{name} = {value}");
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, csv)) = data.split_first() else {
        return;
    };
    if selector % 2 == 0 {
        let Ok(codings) = CodingsCsv::parse(csv) else {
            return;
        };
        for metric in Metric::ALL {
            let Ok(data) = codings.to_data(metric) else {
                continue;
            };
            check("alpha", krippendorff_alpha(&data, metric));
            check("percent agreement", percent_agreement(&data));
            check("holsti", holsti(&data));
            check("scott pi", scott_pi(&data));
            check("bennett s", bennett_s(&data, None));
            for weights in [
                KappaWeights::Unweighted,
                KappaWeights::Linear,
                KappaWeights::Quadratic,
            ] {
                check("cohen kappa", cohen_kappa(&data, weights));
            }
            if let Ok(fleiss) = fleiss_kappa(&data) {
                let _ = fleiss;
            }
            let _ = data_report(&codings, metric);
        }
    } else {
        let Ok(spans) = SpansCsv::parse(csv) else {
            return;
        };
        let begin = spans.data().spans().iter().map(|s| s.begin).min();
        let end = spans
            .data()
            .spans()
            .iter()
            .filter_map(|s| s.begin.checked_add(s.length))
            .max();
        let mut continua = vec![Continuum::new(0, 100)];
        if let (Some(begin), Some(end)) = (begin, end) {
            continua.push(Continuum::new(begin, end));
        }
        for continuum in continua.into_iter().flatten() {
            if let Ok(alpha) = spans.unitizing_alpha(continuum) {
                check("unitizing alpha", alpha.overall);
            }
            let _ = span_report(&spans, continuum);
        }
    }
});

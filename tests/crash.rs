//! Nothing lost: the real binary in tmux, killed with SIGKILL at random (seeded) moments of a
//! scripted coding session, and a coder folder that cannot be written for a while.
//!
//! The kill test runs each round on a fresh copy of the samples: it sends a random sequence of
//! coding keys, sleeps a random 0–1.5 s and kills the program. The same keys drive an in-process
//! model of the workspace (`App`, without terminal or saver), which gives the coder file's state
//! after each action. The file on disk must parse and equal one of those states, no older than
//! the state of the last action made more than `AUTOSAVE_MAX_WAIT` + a margin before the kill.
//!
//! Five rounds run in the normal test suite; `NORMCODE_LONG_TESTS=1` runs 100 (or
//! `NORMCODE_CRASH_ROUNDS`). `NORMCODE_CRASH_SEED` picks the seed; each round prints its own.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{Session, tmux_available};
use normcode::annotations::{CoderFile, Status, load_coder_file};
use normcode::project::Project;
use normcode::tui::App;
use normcode::tui::keymap::Keymap;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A small, seeded random number generator (SplitMix64): the same seed, the same session.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// One coding action, as keys for tmux and as keys for the model.
#[derive(Debug, Clone)]
enum Action {
    /// Quick-assign: `a`, the indicator id, Enter (toggles it on the current unit).
    Assign(String),
    Down,
    Up,
    NextDocument,
    /// `m`, text, Ctrl-S: a memo on the current unit (appended to the one it has).
    Memo(String),
    Done,
    Undo,
}

impl Action {
    fn random(rng: &mut Rng, codes: &[String]) -> Self {
        match rng.below(100) {
            0..35 => Action::Assign(codes[rng.below(codes.len() as u64) as usize].clone()),
            35..55 => Action::Down,
            55..60 => Action::Up,
            60..68 => Action::NextDocument,
            68..78 => Action::Memo(format!("memo {} 备忘", rng.below(1000))),
            78..85 => Action::Done,
            _ => Action::Undo,
        }
    }

    /// tmux keys: (key, literal).
    fn tmux_keys(&self) -> Vec<(String, bool)> {
        let key = |k: &str| (k.to_string(), false);
        match self {
            Action::Assign(code) => vec![key("a"), (code.clone(), true), key("Enter")],
            Action::Down => vec![key("j")],
            Action::Up => vec![key("k")],
            Action::NextDocument => vec![key("]")],
            Action::Memo(text) => vec![key("m"), (text.clone(), true), key("C-s")],
            Action::Done => vec![key("D")],
            Action::Undo => vec![key("u")],
        }
    }

    fn apply(&self, app: &mut App) {
        let plain = |c: char| {
            let modifiers = if c.is_uppercase() {
                KeyModifiers::SHIFT
            } else {
                KeyModifiers::NONE
            };
            KeyEvent::new(KeyCode::Char(c), modifiers)
        };
        let mut keys = Vec::new();
        match self {
            Action::Assign(code) => {
                keys.push(plain('a'));
                keys.extend(code.chars().map(plain));
                keys.push(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
            }
            Action::Down => keys.push(plain('j')),
            Action::Up => keys.push(plain('k')),
            Action::NextDocument => keys.push(plain(']')),
            Action::Memo(text) => {
                keys.push(plain('m'));
                keys.extend(text.chars().map(plain));
                keys.push(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
            }
            Action::Done => keys.push(plain('D')),
            Action::Undo => keys.push(plain('u')),
        }
        for key in keys {
            app.handle_key(key);
        }
    }
}

/// What a coder file says, without timestamps: per document its status, memo and annotations
/// (unit, span, codes, memo), in the stable order files are written in.
type Annotated = (String, Option<(usize, usize)>, Vec<String>, Option<String>);
type Content = BTreeMap<String, (Status, Option<String>, Vec<Annotated>)>;

fn content(file: &CoderFile, project: &Project) -> Content {
    let mut file = file.clone();
    file.normalize(&project.corpus);
    file.documents
        .iter()
        .map(|(id, coding)| {
            let annotations = coding
                .annotations
                .iter()
                .map(|a| {
                    (
                        a.unit.to_string(),
                        a.span.map(|s| (s.start, s.end)),
                        a.codes.iter().map(ToString::to_string).collect(),
                        a.memo.clone(),
                    )
                })
                .collect();
            (
                id.to_string(),
                (coding.status, coding.memo.clone(), annotations),
            )
        })
        .collect()
}

/// How long a change may wait for its save, plus a margin for a loaded machine
/// (`NORMCODE_CRASH_MARGIN_MS`, default 800).
fn threshold() -> Duration {
    let margin = std::env::var("NORMCODE_CRASH_MARGIN_MS")
        .ok()
        .and_then(|m| m.parse().ok())
        .unwrap_or(800);
    normcode::tui::AUTOSAVE_MAX_WAIT + Duration::from_millis(margin)
}

/// Indicator ids that quick-assign picks exactly when typed in full.
fn assignable_codes(model: &App) -> Vec<String> {
    let codebook = &model.project.codebook;
    codebook
        .indicators
        .iter()
        .enumerate()
        .filter(|(i, indicator)| {
            !indicator.retired
                && model.quick_assign_candidates(indicator.id.as_str()).first() == Some(i)
        })
        .map(|(_, indicator)| indicator.id.to_string())
        .take(12)
        .collect()
}

/// What one round saw, for the summary.
struct Round {
    actions: usize,
    /// Changes made before the kill that were not on disk, and the age of the oldest of them.
    lost: usize,
    oldest_lost: Option<Duration>,
    temp_after_kill: usize,
}

fn round(seed: u64, index: usize) -> Round {
    let mut rng = Rng(seed);
    let coder = "crash";
    let s = Session::new(&format!("crash{index}"));
    // The model: the same project, the same (absent) coder file, the default keys.
    let project = Project::open(s.project.path()).unwrap();
    let loaded = project.load_coder(coder).unwrap();
    let mut model = App::new(Arc::new(project), loaded, Keymap::default());
    let codes = assignable_codes(&model);
    assert!(codes.len() >= 5, "{codes:?}");

    s.start("main", coder);
    s.wait_for("main", coder);
    let n = 3 + rng.below(28) as usize;
    let actions: Vec<Action> = (0..n).map(|_| Action::random(&mut rng, &codes)).collect();
    // states[i]: the file after i actions, and when the i-th action was sent.
    let project = Arc::clone(&model.project);
    let mut states = vec![(Instant::now(), content(&model.coder.file, &project))];
    for action in &actions {
        for (key, literal) in action.tmux_keys() {
            s.send("main", &key, literal);
            std::thread::sleep(Duration::from_millis(5 + rng.below(40)));
        }
        action.apply(&mut model);
        states.push((Instant::now(), content(&model.coder.file, &project)));
        std::thread::sleep(Duration::from_millis(rng.below(150)));
    }
    std::thread::sleep(Duration::from_millis(rng.below(1500)));
    let killed_at = Instant::now();
    s.kill9("main");
    s.wait_dead("main");
    let temp_after_kill = s.leftovers().len();

    let path = s.coder_path(coder);
    let on_disk = if path.exists() {
        let file = load_coder_file(&path).unwrap_or_else(|e| {
            panic!(
                "seed {seed}: the coder file does not parse after kill -9: {e}\n{}",
                s.coder_file(coder)
            )
        });
        assert_eq!(file.coder, coder);
        content(&file, &project)
    } else {
        Content::new()
    };
    // The newest state that must be on disk (or a later one).
    let must = states
        .iter()
        .rposition(|(at, _)| killed_at.duration_since(*at) >= threshold())
        .unwrap_or(0);
    let found = states.iter().rposition(|(_, state)| *state == on_disk);
    let Some(found) = found.filter(|&f| f >= must) else {
        let script: Vec<String> = actions
            .iter()
            .zip(&states[1..])
            .map(|(a, (at, _))| {
                format!(
                    "{:?} ({} ms before the kill)",
                    a,
                    (killed_at - *at).as_millis()
                )
            })
            .collect();
        panic!(
            "seed {seed} (round {index}): the file on disk is {}; every action older than {:?} \
             must be in it, from action {must} on.\nactions:\n  {}\non disk: {on_disk:#?}\n\
             expected (after action {must}): {:#?}",
            match found {
                Some(f) => format!("the state after action {f}"),
                None => "no state the session was ever in".to_string(),
            },
            threshold(),
            script.join("\n  "),
            states[must].1
        );
    };
    // Changes after the saved state were lost; how old was the oldest?
    let lost_changes: Vec<Duration> = (found + 1..states.len())
        .filter(|&i| states[i].1 != states[i - 1].1)
        .map(|i| killed_at.duration_since(states[i].0))
        .collect();

    // The lock died with the process: the coder opens again at once, and no temporary file
    // is left once the coder's next session has started.
    s.start("after", coder);
    s.wait_for("after", coder);
    s.keys("after", &["q"]);
    s.wait_dead("after");
    let leftovers = s.leftovers();
    assert!(leftovers.is_empty(), "seed {seed}: {leftovers:?}");
    let after = load_coder_file(&path).map(|f| content(&f, &project));
    if path.exists() {
        assert_eq!(
            after.unwrap(),
            on_disk,
            "seed {seed}: reopening changed the file"
        );
    }
    Round {
        actions: n,
        lost: lost_changes.len(),
        oldest_lost: lost_changes.into_iter().max(),
        temp_after_kill,
    }
}

fn rounds() -> usize {
    if let Some(n) = std::env::var("NORMCODE_CRASH_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        return n;
    }
    if std::env::var_os("NORMCODE_LONG_TESTS").is_some_and(|v| v == "1") {
        100
    } else {
        5
    }
}

#[test]
fn kill_dash_nine_at_random_moments_loses_nothing_older_than_a_second() {
    if !tmux_available() {
        return;
    }
    let seed: u64 = std::env::var("NORMCODE_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_260_427);
    let n = rounds();
    let started = Instant::now();
    let (mut actions, mut lost, mut temp) = (0, 0, 0);
    let mut oldest = Duration::ZERO;
    for index in 0..n {
        let round_seed = seed.wrapping_add(index as u64);
        eprintln!("round {index}: seed {round_seed}");
        let r = round(round_seed, index);
        actions += r.actions;
        lost += r.lost;
        temp += r.temp_after_kill;
        oldest = oldest.max(r.oldest_lost.unwrap_or_default());
    }
    eprintln!(
        "{n} rounds in {:.0?}: {actions} actions; {lost} changes lost to kill -9, the oldest \
         {oldest:.0?} before the kill; a temporary file was left by {temp} kills (removed by \
         the next session)",
        started.elapsed()
    );
}

#[test]
fn steady_coding_is_saved_while_it_goes_on() {
    if !tmux_available() {
        return;
    }
    // A change every 150 ms: the autosave's quiet time (AUTOSAVE_DELAY) never comes, yet what
    // is older than AUTOSAVE_MAX_WAIT must be on disk.
    let s = Session::new("steady");
    let coder = "olga";
    s.start("main", coder);
    s.wait_for("main", coder);
    s.keys("main", &["a", "IL01", "Enter"]);
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(3) {
        s.send("main", "D", false);
        std::thread::sleep(Duration::from_millis(150));
    }
    s.kill9("main");
    s.wait_dead("main");
    let file = s.coder_file(coder);
    assert!(file.contains("IL01"), "3 s of coding lost:\n{file}");
}

/// Whether this process may mount a file system in a private mount namespace (root may).
fn can_mount_tmpfs() -> bool {
    let dir = tempfile::tempdir().unwrap();
    let mounted = std::process::Command::new("unshare")
        .args(["-m", "sh", "-c"])
        .arg(format!(
            "mount -t tmpfs -o size=64k tmpfs '{}'",
            dir.path().display()
        ))
        .output()
        .is_ok_and(|o| o.status.success());
    if !mounted {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs as root and can mount a tmpfs"
        );
        eprintln!("skipping: cannot mount a tmpfs in a private mount namespace (not root?)");
    }
    mounted
}

#[test]
fn a_full_disk_says_not_saved_keeps_the_work_and_saves_once_there_is_room() {
    if !tmux_available() || !can_mount_tmpfs() {
        return;
    }
    // The workspace runs in a mount namespace of its own, where annotations/ is a 1 MiB tmpfs.
    // The test sees that tmpfs through /proc/PID/root, and fills it.
    let s = Session::new("full");
    let coder = "fred";
    let annotations = s.project.path().join("annotations");
    let mount = format!(
        "mount -t tmpfs -o size=1m tmpfs '{}' || exit 97",
        annotations.display()
    );
    s.start_with("main", coder, Some(("unshare -m sh", &mount)));
    s.wait_for("main", coder);
    let inside = Path::new("/proc")
        .join(s.pid("main"))
        .join("root")
        .join(annotations.strip_prefix("/").unwrap());
    let coder_file = || std::fs::read_to_string(inside.join("fred.yaml")).unwrap_or_default();
    s.keys("main", &["a", "IL01", "Enter"]);
    let start = Instant::now();
    while !coder_file().contains("IL01") {
        assert!(start.elapsed() < Duration::from_secs(15), "never saved");
        std::thread::sleep(Duration::from_millis(100));
    }
    // Fill the disk.
    let filler = inside.join("filler");
    let _ = std::fs::write(&filler, vec![b'x'; 2 << 20]);
    assert!(std::fs::metadata(&filler).unwrap().len() > 0);
    s.keys(
        "main",
        &[
            "j",
            "a",
            "TH01",
            "Enter",
            "m",
            "a memo on a full disk",
            "C-s",
        ],
    );
    let screen = s.wait_for("main", "NOT SAVED");
    assert!(
        screen.contains("TH01"),
        "the work is still on screen:\n{screen}"
    );
    // After the first message has gone, the status bar names the cause.
    s.keys("main", &["Escape"]);
    s.wait_for("main", "No space left on device");
    assert!(!coder_file().contains("TH01"));
    let temporaries: Vec<_> = std::fs::read_dir(&inside)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(
        temporaries.is_empty(),
        "a failed save leaves {temporaries:?}"
    );
    // Room again: the next retry saves everything.
    std::fs::remove_file(&filler).unwrap();
    let start = Instant::now();
    while !coder_file().contains("a memo on a full disk") {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "never saved after the disk had room again:\n{}",
            s.screen("main")
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let file = coder_file();
    assert!(file.contains("IL01") && file.contains("TH01"), "{file}");
    s.wait_until("main", "the error to clear", |screen| {
        !screen.contains("NOT SAVED")
    });
    s.keys("main", &["q"]);
    s.wait_dead("main");
}

#[test]
fn a_temporary_file_left_by_a_killed_save_is_removed_by_the_next_session() {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str| dir.path().join(name);
    // What `write_atomic` leaves when killed between writing and renaming, for two coders
    // whose names start alike, and files that are not such leftovers.
    for name in [
        ".a.yaml.x7Gq2Z.tmp",
        ".a.yaml.b.yaml.Qw3rTy.tmp",
        "a.yaml",
        "notes.tmp",
        ".a.yaml.keep",
    ] {
        std::fs::write(file(name), "x").unwrap();
    }
    let lock = normcode::annotations::CoderLock::acquire(
        dir.path(),
        &normcode::annotations::CoderName::parse("a").unwrap(),
    )
    .unwrap();
    assert!(!file(".a.yaml.x7Gq2Z.tmp").exists());
    for kept in [
        ".a.yaml.b.yaml.Qw3rTy.tmp",
        "a.yaml",
        "notes.tmp",
        ".a.yaml.keep",
    ] {
        assert!(file(kept).exists(), "{kept} removed");
    }
    // While a session holds the lock, another cannot start, and so removes nothing.
    std::fs::write(file(".a.yaml.busy01.tmp"), "x").unwrap();
    assert!(
        normcode::annotations::CoderLock::acquire(
            dir.path(),
            &normcode::annotations::CoderName::parse("a").unwrap()
        )
        .is_err()
    );
    assert!(file(".a.yaml.busy01.tmp").exists());
    drop(lock);
}

/// Replaces `path` by an obstacle for `f`'s duration: a file where a folder should be, or a
/// folder where a file should be.
fn with_obstacle(path: &Path, as_folder: bool) -> std::path::PathBuf {
    let away = path.with_extension("away");
    if path.exists() {
        std::fs::rename(path, &away).unwrap();
    }
    if as_folder {
        std::fs::create_dir_all(path.join("in-the-way")).unwrap();
    } else {
        std::fs::write(path, "not a folder").unwrap();
    }
    away
}

fn remove_obstacle(path: &Path, away: &Path) {
    if path.is_dir() {
        std::fs::remove_dir_all(path).unwrap();
    } else {
        std::fs::remove_file(path).unwrap();
    }
    if away.exists() {
        std::fs::rename(away, path).unwrap();
    }
}

#[test]
fn an_unwritable_coder_file_says_not_saved_keeps_the_work_and_saves_once_fixed() {
    if !tmux_available() {
        return;
    }
    let s = Session::new("unwritable");
    let coder = "nina";
    s.start("main", coder);
    s.wait_for("main", coder);
    s.keys("main", &["a", "IL01", "Enter"]);
    s.wait_for_file(coder, "IL01");

    // 1. The annotations folder is a file now: the save cannot even create its folder.
    let folder = s.project.path().join("annotations");
    let away = with_obstacle(&folder, false);
    s.keys("main", &["j", "a", "TH01", "Enter"]);
    let screen = s.wait_for("main", "NOT SAVED");
    assert!(
        screen.contains("TH01"),
        "the work is still on screen:\n{screen}"
    );
    std::thread::sleep(Duration::from_millis(2500));
    assert!(
        s.screen("main").contains("NOT SAVED"),
        "a retry cannot succeed yet"
    );
    remove_obstacle(&folder, &away);
    // The saver retries by itself: the file gets both codes, the status bar says saved.
    let file = s.wait_for_file(coder, "TH01");
    assert!(file.contains("IL01"), "{file}");
    s.wait_until("main", "the error to clear", |screen| {
        !screen.contains("NOT SAVED") && screen.contains("saved")
    });

    // 2. The coder file's place is taken by a folder: writing works, the rename cannot.
    let path = s.coder_path(coder);
    let away = with_obstacle(&path, true);
    s.keys("main", &["j", "a", "VU01", "Enter"]);
    s.wait_for("main", "NOT SAVED");
    assert!(s.leftovers().is_empty(), "{:?}", s.leftovers());
    // Quitting now would lose work: the first q warns and stays.
    s.keys("main", &["q"]);
    s.wait_for("main", "press q again to quit WITHOUT saving");
    assert!(!s.is_dead("main"));
    remove_obstacle(&path, &away);
    // Now the next q saves and quits.
    s.keys("main", &["q"]);
    s.wait_dead("main");
    let file = s.coder_file(coder);
    for code in ["IL01", "TH01", "VU01"] {
        assert!(file.contains(code), "{code} lost:\n{file}");
    }
    let loaded = load_coder_file(&path).unwrap();
    assert_eq!(loaded.annotation_count(), 3, "{file}");
    assert!(s.leftovers().is_empty(), "{:?}", s.leftovers());
}

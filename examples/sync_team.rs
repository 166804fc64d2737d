//! The benchmark of `normcode sync` (BENCHMARKS.md, "A team on git"): a team of 20 coders on a
//! 500-document project, each on their own clone of a bare remote, each syncing in turn after
//! a day's work (150 new annotations in 10 documents marked done), so that every sync after the
//! first pulls the others' work; then one coder on two clones, whose second sync runs the
//! merge driver on a coder file both changed; then the merge driver alone on that file.
//!
//! Run (the normcode binary must be built first, in release):
//!
//! ```sh
//! cargo build --release && cargo run --release --example sync_team
//! ```
//!
//! `NORMCODE_SYNC_CODERS` (default 20), `NORMCODE_SYNC_MB` (default 5: 500 documents) and
//! `NORMCODE_SYNC_ANNOTATIONS` (per coder file, default 3000) change the size. Git's own
//! configuration is kept out (an empty `GIT_CONFIG_GLOBAL`, `GIT_CONFIG_NOSYSTEM`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use normcode::annotations::{Annotation, CoderFile, Status, load_coder_file, save_coder_file};
use normcode::corpus::IndicatorId;
use normcode::project::Project;
use normcode::synth::{self, CorpusSpec, Language};

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Bench {
    dir: PathBuf,
    normcode: PathBuf,
}

impl Bench {
    fn command(&self, program: &Path, dir: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(program);
        cmd.args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", self.dir.join("gitconfig"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", self.dir.join("home"))
            .env("XDG_CONFIG_HOME", self.dir.join("home/.config"));
        cmd
    }

    fn git(&self, dir: &Path, args: &[&str]) {
        let out = self
            .command(Path::new("git"), dir, args)
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Runs normcode and returns how long it took.
    fn normcode(&self, dir: &Path, args: &[&str]) -> Duration {
        let start = Instant::now();
        let out = self
            .command(&self.normcode, dir, args)
            .output()
            .expect("normcode runs");
        let took = start.elapsed();
        assert!(
            out.status.success(),
            "normcode {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        took
    }

    fn clone(&self, name: &str, who: &str) -> PathBuf {
        self.git(&self.dir, &["clone", "-q", "remote.git", name]);
        let dir = self.dir.join(name);
        self.git(&dir, &["config", "user.name", who]);
        self.git(
            &dir,
            &["config", "user.email", &format!("{who}@example.org")],
        );
        dir
    }
}

/// A day's work in `coder`'s file: `n` whole-unit annotations on units the coder has not coded,
/// in 10 documents from `first` on, which are then marked done.
fn days_work(dir: &Path, project: &Project, coder: &str, first: usize, n: usize) {
    let path = dir.join(format!("annotations/{coder}.yaml"));
    let mut file: CoderFile = load_coder_file(&path).expect("a coder file");
    let codes: Vec<IndicatorId> = project
        .codebook
        .indicators
        .iter()
        .filter(|i| !i.retired)
        .map(|i| i.id.clone())
        .collect();
    let documents = &project.corpus.documents;
    let mut added = 0;
    for d in 0..10 {
        let document = &documents[(first + d) % documents.len()];
        let coding = Arc::make_mut(file.documents.entry(document.id.clone()).or_default());
        for unit in &document.units {
            if added >= n * (d + 1) / 10 {
                break;
            }
            if coding.annotations.iter().any(|a| a.unit == unit.id) {
                continue;
            }
            let code = codes[(added * 7 + first) % codes.len()].clone();
            coding.annotations.push(Annotation::new_in(
                document,
                unit,
                None,
                vec![code],
                chrono::DateTime::UNIX_EPOCH,
            ));
            added += 1;
        }
        coding.status = Status::Done;
    }
    file.normalize(&project.corpus);
    save_coder_file(&path, &file).expect("saved");
}

fn show(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let coders = env_number("NORMCODE_SYNC_CODERS", 20);
    let megabytes = env_number("NORMCODE_SYNC_MB", 5) as u64;
    let per_coder = env_number("NORMCODE_SYNC_ANNOTATIONS", 3000);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let normcode = root.join("target/release/normcode");
    assert!(
        normcode.is_file(),
        "build the binary first: cargo build --release"
    );
    let temp = tempfile::tempdir().expect("a temporary folder");
    let bench = Bench {
        dir: temp.path().to_path_buf(),
        normcode,
    };
    std::fs::write(
        bench.dir.join("gitconfig"),
        "[init]\n\tdefaultBranch = main\n",
    )
    .expect("written");

    // The lead's project: documents, the codebook, every coder's file, pushed.
    let lead = bench.dir.join("lead");
    let spec = CorpusSpec::sized(Language::English, megabytes, 20261205);
    synth::write_project(&lead, &spec).expect("a project");
    let project = Project::open(&lead).expect("it opens");
    let names: Vec<String> = (0..coders).map(|i| format!("coder{i:02}")).collect();
    for (i, name) in names.iter().enumerate() {
        let mut coder = synth::coder_file(&project, name, per_coder, 7 + i as u64);
        project.save_coder(&mut coder).expect("saved");
    }
    bench.git(&bench.dir, &["init", "-q", "--bare", "remote.git"]);
    bench.git(&lead, &["init", "-q"]);
    bench.git(&lead, &["config", "user.name", "lead"]);
    bench.git(&lead, &["config", "user.email", "lead@example.org"]);
    bench.git(&lead, &["add", "-A"]);
    bench.git(&lead, &["commit", "-q", "-m", "the study"]);
    bench.git(&lead, &["remote", "add", "origin", "../remote.git"]);
    bench.normcode(&lead, &["sync", "--coder", "lead"]);
    let units = project.corpus.unit_count();
    println!(
        "project: {} documents ({} units, {:.1} MB), {coders} coder files of {per_coder} \
         annotations",
        project.corpus.len(),
        units,
        spec.bytes as f64 / 1e6
    );

    // Everyone clones, codes for a day, and syncs in turn.
    let clones: Vec<PathBuf> = names
        .iter()
        .map(|name| bench.clone(&format!("clone-{name}"), name))
        .collect();
    for (i, (name, clone)) in names.iter().zip(&clones).enumerate() {
        days_work(clone, &project, name, i * 10, 150);
    }
    let mut times = Vec::new();
    for (name, clone) in names.iter().zip(&clones) {
        times.push(bench.normcode(clone, &["sync", "--coder", name]));
    }
    let first = times[0];
    let last = *times.last().expect("one at least");
    println!(
        "sync after a day's work (150 annotations, 10 documents done), {coders} coders in \
         turn: first {}, median {}, last (pulls {} commits) {}, max {}",
        show(first),
        show(median(times.clone())),
        coders - 1,
        show(last),
        show(*times.iter().max().expect("one"))
    );

    // One coder on two clones: the second sync merges the coder file with the driver.
    let name = &names[0];
    let office = &clones[0];
    bench.normcode(office, &["sync", "--coder", name]);
    let laptop = bench.clone("laptop", name);
    bench.normcode(&laptop, &["sync", "--coder", name]);
    days_work(office, &project, name, 200, 150);
    days_work(&laptop, &project, name, 300, 150);
    bench.normcode(office, &["sync", "--coder", name]);
    let merging = bench.normcode(&laptop, &["sync", "--coder", name]);
    println!(
        "sync that merges the same coder's file changed on two clones (merge driver included): {}",
        show(merging)
    );

    // The merge driver alone, on that file: base, ours and theirs as git hands them over.
    let path = format!("annotations/{name}.yaml");
    let base = bench.dir.join("O");
    let theirs = bench.dir.join("B");
    let ours = bench.dir.join("A");
    let show_rev = |rev: &str, to: &Path| {
        let out = bench
            .command(
                Path::new("git"),
                &laptop,
                &["show", &format!("{rev}:{path}")],
            )
            .output()
            .expect("git show");
        std::fs::write(to, out.stdout).expect("written");
    };
    let merge_base = bench
        .command(
            Path::new("git"),
            &laptop,
            &["merge-base", "HEAD^1", "HEAD^2"],
        )
        .output()
        .expect("git merge-base");
    let merge_base = String::from_utf8_lossy(&merge_base.stdout)
        .trim()
        .to_string();
    let mut runs = Vec::new();
    for _ in 0..5 {
        show_rev(&merge_base, &base);
        show_rev("HEAD^1", &ours);
        show_rev("HEAD^2", &theirs);
        let args = [
            "merge-driver",
            base.to_str().expect("utf-8"),
            ours.to_str().expect("utf-8"),
            theirs.to_str().expect("utf-8"),
            path.as_str(),
        ];
        runs.push(bench.normcode(&laptop, &args));
    }
    let size = std::fs::metadata(&ours).map(|m| m.len()).unwrap_or(0);
    println!(
        "merge-driver on one coder file ({:.1} MB, ~{} annotations a side): median of 5 {}",
        size as f64 / 1e6,
        per_coder + 300,
        show(median(runs))
    );
}

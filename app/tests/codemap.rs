//! ARCHITECTURE.md's codemap is kept true: every path it names exists, and every source folder of
//! the project is named in it. A bullet names its path first, in backticks, relative to the
//! bullet it is nested under.

use std::path::{Path, PathBuf};

/// Folders whose every subfolder must have a place in the codemap.
const SOURCE_ROOTS: &[&str] = &[
    "app/src",
    "app/tests",
    "frontend/src",
    "server/src",
    "server/tests",
    "end2end/tests",
    "bench",
    "scripts",
    "migrations",
];

fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("app/ is inside the project").to_path_buf()
}

/// The paths the codemap's bullets name, each resolved against its parent bullet's path.
fn codemap_paths(architecture: &str) -> Vec<String> {
    let section = format!("\n{architecture}");
    let section = section
        .split("\n## ")
        .find(|section| section.starts_with("Codemap"))
        .expect("ARCHITECTURE.md has a Codemap section");
    let mut parents: Vec<(usize, String)> = Vec::new();
    let mut paths = Vec::new();
    for line in section.lines() {
        let indent = line.len() - line.trim_start().len();
        let Some(rest) = line.trim_start().strip_prefix("- `") else { continue };
        let Some((named, _)) = rest.split_once('`') else { continue };
        while parents.last().is_some_and(|(parent_indent, _)| *parent_indent >= indent) {
            parents.pop();
        }
        let path = match parents.last() {
            Some((_, parent)) => format!("{parent}{named}"),
            None => named.to_owned(),
        };
        paths.push(path.clone());
        parents.push((indent, path));
    }
    paths
}

fn folders_under(root: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(root) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() && !entry.file_name().to_string_lossy().starts_with('.') {
            found.push(path.clone());
            folders_under(&path, found);
        }
    }
}

#[test]
fn every_path_the_codemap_names_exists() {
    let root = project_root();
    let architecture = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let paths = codemap_paths(&architecture);
    assert!(paths.len() > 20, "the codemap names too few paths to be a map: {paths:?}");
    let missing: Vec<_> = paths.iter().filter(|path| !root.join(path).exists()).collect();
    assert!(missing.is_empty(), "ARCHITECTURE.md's codemap names paths that do not exist: {missing:?}");
}

#[test]
fn every_source_folder_is_in_the_codemap() {
    let root = project_root();
    let architecture = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let named: Vec<String> =
        codemap_paths(&architecture).iter().map(|path| path.trim_end_matches('/').to_owned()).collect();
    let mut folders = Vec::new();
    for source_root in SOURCE_ROOTS {
        folders_under(&root.join(source_root), &mut folders);
    }
    let unmapped: Vec<String> = folders
        .iter()
        .map(|folder| folder.strip_prefix(&root).unwrap().to_string_lossy().into_owned())
        .filter(|folder| !named.contains(folder))
        .collect();
    assert!(unmapped.is_empty(), "source folders missing from ARCHITECTURE.md's codemap: {unmapped:?}");
}

#[test]
fn nested_bullets_name_paths_relative_to_their_parent() {
    let map = "## Codemap\n\n- `app/` - the crate.\n  - `src/` - its code.\n    - `lib.rs` - root.\n- `server/` - x\n";
    assert_eq!(codemap_paths(map), ["app/", "app/src/", "app/src/lib.rs", "server/"]);
}

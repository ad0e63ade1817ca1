//! The catalogue as human-editable files: `needs.toml` and one `interventions/<id>.toml` per
//! intervention. Every problem in every file is reported at once, with file and field.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::domain::{Catalogue, FieldErrors, Intervention, Need};

#[derive(Deserialize)]
struct NeedsFile {
    need: Vec<Need>,
}

/// Reads and validates a catalogue directory. Nothing is returned unless everything is valid.
pub fn load_dir(dir: &Path) -> Result<Catalogue, FieldErrors> {
    let mut errors = FieldErrors::default();
    let needs = match read_toml::<NeedsFile>(&dir.join("needs.toml")) {
        Ok(file) => file.need,
        Err(e) => {
            errors.push(format!("needs.toml: {}", e.0), e.1);
            Vec::new()
        }
    };
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir.join("interventions")) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect(),
        Err(e) => {
            errors.push("interventions/", format!("cannot read the folder: {e}"));
            Vec::new()
        }
    };
    files.sort();
    let mut interventions = Vec::new();
    let mut names = Vec::new();
    for path in &files {
        let name = format!(
            "interventions/{}",
            path.file_name().unwrap_or_default().to_string_lossy()
        );
        match read_toml::<Intervention>(path) {
            Ok(iv) => {
                let stem = path.file_stem().unwrap_or_default().to_string_lossy();
                if iv.id != stem {
                    errors.push(
                        format!("{name}: id"),
                        format!("'{}' does not match the file name", iv.id),
                    );
                }
                interventions.push(iv);
                names.push(name);
            }
            Err((field, message)) => errors.push(format!("{name}: {field}"), message),
        }
    }
    let catalogue = Catalogue {
        needs,
        interventions,
    };
    let mut found = FieldErrors::default();
    catalogue.validate("catalogue", &mut found);
    for (k, iv) in catalogue.interventions.iter().enumerate() {
        iv.validate_catalogue_entry(&format!("catalogue.interventions[{k}]"), &mut found);
    }
    for mut e in found.0 {
        e.field = file_field(&e.field, &names);
        errors.0.push(e);
    }
    dedup(&mut errors);
    errors.into_result(catalogue)
}

/// `catalogue.interventions[3].requires[0]` → `interventions/x.toml: requires[0]`.
fn file_field(field: &str, names: &[String]) -> String {
    if let Some(rest) = field.strip_prefix("catalogue.interventions[")
        && let Some((index, tail)) = rest.split_once(']')
        && let Ok(k) = index.parse::<usize>()
        && let Some(name) = names.get(k)
    {
        return format!("{name}: {}", tail.trim_start_matches('.'));
    }
    if let Some(rest) = field.strip_prefix("catalogue.needs") {
        return format!("needs.toml: need{rest}");
    }
    field.to_string()
}

fn dedup(errors: &mut FieldErrors) {
    let mut seen = std::collections::BTreeSet::new();
    errors
        .0
        .retain(|e| seen.insert((e.field.clone(), e.message.clone())));
}

fn read_toml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, (String, String)> {
    let text = std::fs::read_to_string(path).map_err(|e| ("(file)".to_string(), e.to_string()))?;
    let value: toml::Value = toml::from_str(&text)
        .map_err(|e| ("(syntax)".to_string(), e.to_string().replace('\n', " ")))?;
    serde_path_to_error::deserialize::<_, T>(value).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            "(file)".to_string()
        } else {
            path
        };
        (field, e.inner().to_string())
    })
}

/// Writes a catalogue in the same layout `load_dir` reads.
pub fn write_dir(dir: &Path, catalogue: &Catalogue) -> anyhow::Result<()> {
    #[derive(serde::Serialize)]
    struct NeedsOut<'a> {
        need: &'a [Need],
    }
    std::fs::create_dir_all(dir.join("interventions"))?;
    std::fs::write(
        dir.join("needs.toml"),
        toml::to_string(&NeedsOut {
            need: &catalogue.needs,
        })?,
    )?;
    for iv in &catalogue.interventions {
        std::fs::write(
            dir.join("interventions").join(format!("{}.toml", iv.id)),
            toml::to_string(iv)?,
        )?;
    }
    Ok(())
}

//! Checks a JSON answer against its OpenAPI schema: the subset of JSON Schema the document
//! uses (`$ref`, `type` or a list of types, `properties` with `required`, `items`, `enum`,
//! `oneOf`/`anyOf`/`allOf`, `minimum`/`maximum`). Unknown keywords are ignored, never passed
//! silently as a failure.

use serde_json::Value;

/// Problems found, each with the JSON path it is at; empty when the value fits.
pub fn check(document: &Value, schema: &Value, value: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    walk(document, schema, value, "$", &mut problems, 0);
    problems
}

fn resolve<'a>(document: &'a Value, reference: &str) -> &'a Value {
    let name = reference.trim_start_matches("#/components/schemas/");
    &document["components"]["schemas"][name]
}

fn type_fits(kind: &str, value: &Value) -> bool {
    match kind {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "integer" => value.as_i64().is_some() || value.as_u64().is_some(),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => true,
    }
}

fn walk(
    document: &Value,
    schema: &Value,
    value: &Value,
    at: &str,
    out: &mut Vec<String>,
    depth: usize,
) {
    if depth > 64 {
        out.push(format!("{at}: schema nests too deep"));
        return;
    }
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let target = resolve(document, reference);
        if target.is_null() {
            out.push(format!("{at}: {reference} is not in the document"));
        } else {
            walk(document, target, value, at, out, depth + 1);
        }
        return;
    }
    match schema.get("type") {
        Some(Value::String(kind)) if !type_fits(kind, value) => {
            out.push(format!("{at}: expected {kind}, got {value}"));
            return;
        }
        Some(Value::Array(kinds))
            if !kinds
                .iter()
                .any(|k| k.as_str().is_some_and(|k| type_fits(k, value))) =>
        {
            out.push(format!("{at}: expected one of {kinds:?}, got {value}"));
            return;
        }
        _ => {}
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array)
        && !options.contains(value)
    {
        out.push(format!("{at}: {value} is not one of {options:?}"));
    }
    if let (Some(min), Some(v)) = (
        schema.get("minimum").and_then(Value::as_f64),
        value.as_f64(),
    ) && v < min
    {
        out.push(format!("{at}: {v} is below {min}"));
    }
    for all in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        walk(document, all, value, at, out, depth + 1);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(options) = schema.get(key).and_then(Value::as_array) {
            let fits = options.iter().any(|option| {
                let mut inner = Vec::new();
                walk(document, option, value, at, &mut inner, depth + 1);
                inner.is_empty()
            });
            if !fits {
                out.push(format!("{at}: fits none of the {key} options: {value}"));
            }
        }
    }
    if let (Some(properties), Some(object)) = (
        schema.get("properties").and_then(Value::as_object),
        value.as_object(),
    ) {
        for name in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(name) = name.as_str()
                && !object.contains_key(name)
            {
                out.push(format!("{at}: required {name} is missing"));
            }
        }
        for (name, field) in object {
            if let Some(property) = properties.get(name) {
                walk(
                    document,
                    property,
                    field,
                    &format!("{at}.{name}"),
                    out,
                    depth + 1,
                );
            }
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (k, item) in array.iter().enumerate() {
            walk(document, items, item, &format!("{at}[{k}]"), out, depth + 1);
        }
    }
}

/// The schema the document gives for `method path` answering `status` (JSON).
pub fn response_schema<'a>(
    document: &'a Value,
    method: &str,
    path: &str,
    status: u16,
) -> Option<&'a Value> {
    let operation = &document["paths"][path][method.to_lowercase()];
    let response = &operation["responses"][status.to_string()];
    let schema = &response["content"]["application/json"]["schema"];
    (!schema.is_null()).then_some(schema)
}

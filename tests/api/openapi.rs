//! The OpenAPI document: built from the registered routes, so every route is in it; every
//! component it refers to exists under one name; every status a route can give is listed.

use serde_json::Value;

use crate::helpers::{Backend, TestApp};

fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "$ref"
                    && let Some(r) = v.as_str()
                {
                    out.push(r.trim_start_matches("#/components/schemas/").to_string());
                }
                refs(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_route_is_served_and_every_status_listed() {
    let app = TestApp::builder(Backend::Sqlite).spawn().await;
    let document: Value = app
        .get(&app.coordinator, "/api/v1/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    let schemas = document["components"]["schemas"].as_object().unwrap();
    let mut used = Vec::new();
    refs(&document, &mut used);
    for name in &used {
        assert!(schemas.contains_key(name), "missing component {name}");
    }
    // The two place-use views are two components, each under its own name.
    assert!(schemas.contains_key("TeamUtilisation") && schemas.contains_key("AllocatedPlaces"));

    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            assert!(responses.contains_key("500"), "{method} {path}");
            let secured = operation["security"]
                .as_array()
                .is_some_and(|s| !s.is_empty());
            if !secured {
                continue;
            }
            for status in ["401", "403"] {
                assert!(responses.contains_key(status), "{method} {path}: {status}");
            }
            if path.contains('{') {
                assert!(responses.contains_key("404"), "{method} {path}: 404");
            }
            if operation.get("requestBody").is_some() {
                assert!(responses.contains_key("422"), "{method} {path}: 422");
            }
            // Served: without a token the route answers 401, not "no such route".
            let url = app.url(&path.replace('{', "x").replace('}', ""));
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let status = app
                .client
                .request(method.clone(), url)
                .send()
                .await
                .unwrap()
                .status();
            assert_eq!(status, 401, "{method} {path}");
        }
    }
}

//! Every resource-server route the sim serves exists in Halo's swagger.json with that method.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use halo_sim::{ROUTES, RouteArea};
use serde_json::Value;

fn swagger() -> Option<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/halo/swagger.json");
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(serde_json::from_str(&text).expect("swagger.json parses")),
        Err(_) => {
            println!(
                "NOTICE: {} not found; skipping the swagger route check",
                path.display()
            );
            None
        }
    }
}

#[test]
fn every_served_api_route_is_in_swagger() {
    let Some(spec) = swagger() else { return };
    let paths = spec["paths"].as_object().unwrap();
    let mut checked = 0;
    for route in ROUTES.iter().filter(|r| r.area == RouteArea::Resource) {
        let swagger_path = route.path.strip_prefix("/api").unwrap();
        // Swagger paths are PascalCase; Halo routes case-insensitively, so compare that way.
        let found = paths
            .iter()
            .find(|(p, _)| p.eq_ignore_ascii_case(swagger_path));
        let (_, ops) = found
            .unwrap_or_else(|| panic!("{} {} is not in swagger.json", route.method, route.path));
        assert!(
            ops.get(route.method.to_ascii_lowercase()).is_some(),
            "{} {} exists in swagger.json but not with method {}",
            route.method,
            route.path,
            route.method
        );
        checked += 1;
    }
    assert!(checked >= 30, "checked only {checked} routes");
}

#[test]
fn only_resource_routes_live_under_api() {
    for r in ROUTES {
        assert_eq!(
            r.path.starts_with("/api/"),
            r.area == RouteArea::Resource,
            "{r:?}"
        );
    }
}

//! Rights checks: ours vs casbin-rs `enforce` with an RBAC-with-domains model holding the same
//! matrix: 10,000 accounts over 100 establishments, each account holding a subset of the six
//! rights on 3 establishments.

use casbin::prelude::*;
use criterion::{Criterion, criterion_group, criterion_main};
use dealer_portal::Coded;
use dealer_portal::establishment::EstablishmentCode;
use dealer_portal::rights::{Right, Rights, RightsMatrix};
use std::collections::HashMap;
use std::hint::black_box;

const MODEL: &str = r#"
[request_definition]
r = sub, dom, obj, act

[policy_definition]
p = sub, dom, obj, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub, r.dom) && r.dom == p.dom && r.obj == p.obj && r.act == p.act
"#;

const ACCOUNTS: usize = 10_000;
const ESTABLISHMENTS: usize = 100;

fn matrix() -> Vec<RightsMatrix> {
    (0..ACCOUNTS)
        .map(|a| {
            let mut m = RightsMatrix::new();
            for k in 0..3 {
                let e = (a * 7 + k * 31) % ESTABLISHMENTS;
                let r: Rights = Right::ALL
                    .iter()
                    .copied()
                    .filter(|r| (a + *r as usize + k).is_multiple_of(2))
                    .collect();
                m.set(EstablishmentCode::parse(&format!("T{e:05}")).unwrap(), r);
            }
            m
        })
        .collect()
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn compare(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let r0 = rss_kib();
    let ours: HashMap<String, RightsMatrix> = matrix()
        .into_iter()
        .enumerate()
        .map(|(a, m)| (format!("user{a}"), m))
        .collect();
    let r1 = rss_kib();
    let e = rt
        .block_on(async {
            let mut e = Enforcer::new(
                DefaultModel::from_str(MODEL).await?,
                MemoryAdapter::default(),
            )
            .await?;
            let mut p = Vec::new();
            for d in 0..ESTABLISHMENTS {
                for r in Right::ALL {
                    p.push(vec![
                        r.code().to_owned(),
                        format!("T{d:05}"),
                        r.code().to_owned(),
                        "use".to_owned(),
                    ]);
                }
            }
            e.add_policies(p).await?;
            let mut g = Vec::new();
            for (user, m) in &ours {
                for (code, rights) in m.iter() {
                    for r in rights.iter() {
                        g.push(vec![user.clone(), r.code().to_owned(), code.to_string()]);
                    }
                }
            }
            e.add_grouping_policies(g).await?;
            Ok::<_, casbin::Error>(e)
        })
        .unwrap();
    let r2 = rss_kib();
    println!(
        "memory: dealer_portal matrix {} KiB, casbin enforcer {} KiB",
        r1.saturating_sub(r0),
        r2.saturating_sub(r1)
    );
    let code = EstablishmentCode::parse("T00049").unwrap();
    let user = "user4242".to_owned();
    assert_eq!(
        ours[&user]
            .rights_on(&code)
            .contains(Right::AccountingDocuments),
        e.enforce((user.as_str(), "T00049", "accounting_documents", "use"))
            .unwrap()
    );
    let mut g = c.benchmark_group("rights_check_10k_accounts");
    g.bench_function("dealer_portal", |b| {
        b.iter(|| {
            ours[black_box(&user)]
                .rights_on(black_box(&code))
                .contains(Right::AccountingDocuments)
        })
    });
    g.bench_function("casbin_enforce", |b| {
        b.iter(|| {
            e.enforce((
                black_box(user.as_str()),
                "T00049",
                "accounting_documents",
                "use",
            ))
            .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, compare);
criterion_main!(benches);

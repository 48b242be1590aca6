//! The seed's randomness and the change lines it sends: accounts of the customer-success
//! example whose health and size move, survey events, deletions, and lines that must be
//! refused (an unknown field, a moment too far ahead, broken JSON). Most arrive late.

/// A small deterministic generator (xorshift), so that a seed runs the same every time.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// The example's own changes: teammates, accounts, a contact and a survey.
pub const BASE: &str = include_str!("../../../examples/customer-success/changes.jsonl");

pub fn moment(at: i64) -> String {
    chrono::DateTime::from_timestamp(at, 0).unwrap().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub fn parse_moment(text: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(text).unwrap().timestamp()
}

/// Gives a line its `change_id`.
pub fn with_id(line: &str, n: usize) -> String {
    line.replacen('{', &format!("{{\"change_id\":\"s{n}\","), 1)
}

/// The `n`th generated line, arriving at `wall`.
pub fn generated(rng: &mut Rng, n: usize, wall: i64) -> String {
    let late = rng.below(3 * 3600) as i64;
    let at = moment(wall - late);
    let k = rng.below(6);
    let text = match rng.below(100) {
        0..=64 => {
            let health = rng.pick(&[85, 72, 45, 38, 30, 20, 78]);
            let arr = rng.pick(&[40_000, 120_000, 300_000]);
            let tier = rng.pick(&["Enterprise", "MidMarket", "Smb"]);
            let stage = rng.pick(&["Onboarding", "Adoption", "Renewal"]);
            format!(
                r#"{{"at":"{at}","change":"upsert","record":"Account","id":"a{k}","fields":{{"name":"Account {k}","tier":"{tier}","arr":{arr},"stage":"{stage}","health":{health},"owner":"jo@example.com","csm":"ana@example.com","weekly_active_users":{},"licensed_seats":50,"used_seats":38,"tags":[]}}}}"#,
                rng.below(60)
            )
        }
        65..=76 => format!(
            r#"{{"at":"{at}","change":"event","event":"NpsSubmitted","subject":"c-17","fields":{{"score":{},"comment":"simulated"}}}}"#,
            rng.below(11)
        ),
        77..=80 => format!(r#"{{"at":"{at}","change":"delete","record":"Account","id":"a{k}"}}"#),
        81..=89 => {
            format!(r#"{{"at":"{at}","change":"upsert","record":"Account","id":"a{k}","fields":{{"healht":50}}}}"#)
        }
        90..=94 => {
            let ahead = moment(wall + 2 * 86_400);
            format!(r#"{{"at":"{ahead}","change":"upsert","record":"Account","id":"a{k}","fields":{{"health":50}}}}"#)
        }
        _ => r#"{"at":"2026-03-02T09:00:00Z","change":"upsert","record""#.to_string(),
    };
    with_id(&text, n)
}

//! "Did you mean …?": the closest name by edit distance, and lists of choices in words.

/// The edit distance between two words, counting insertions, deletions, substitutions
/// and swaps of two neighbouring letters (the commonest typo) as one edit each.
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for (i, cell) in d.iter_mut().step_by(width).enumerate() {
        *cell = i;
    }
    for (j, cell) in d.iter_mut().take(width).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best =
                (d[(i - 1) * width + j] + 1).min(d[i * width + j - 1] + 1).min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

/// "a" or "an" before a type name, by sound: "an `Account`", "an `Email`", but "a `User`",
/// "a `Url`" and "a `Unit`". The one rule for every message that names a type.
pub fn article(name: &str) -> &'static str {
    let rest = name.get(1..).unwrap_or("");
    let vowel = name.starts_with(['A', 'E', 'I', 'O', 'a', 'e', 'i', 'o'])
        || (name.starts_with(['U', 'u']) && !rest.starts_with(['s', 'r', 'n']))
        || (name.starts_with(['U', 'u']) && rest.starts_with("nd"));
    if vowel {
        "an"
    } else {
        "a"
    }
}

/// The longest word a suggestion is looked for.
const LONGEST: usize = 100;

/// The candidate closest to `word`, if one is close enough to be a likely typo: at most
/// a third of the word's length away (and at least one edit allowed). Ties go to the
/// first candidate, so the answer is deterministic.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let length = word.chars().count();
    // No name is this long on purpose; comparing would cost the product of the lengths.
    if length > LONGEST {
        return None;
    }
    let limit = (length / 3).max(1);
    let lower = word.to_lowercase();
    // Ties on the case-blind distance go to the candidate closer in case too (`enterprse`
    // finds the segment `enterprise` before the variant `Enterprise`).
    let mut best: Option<((usize, usize), &str)> = None;
    for c in candidates {
        // The distance is at least the difference in length.
        if c == word || c.chars().count().abs_diff(length) > limit {
            continue;
        }
        let d = (distance(&lower, &c.to_lowercase()), distance(word, c));
        if d.0 <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

impl crate::Diagnostic {
    /// Adds "did you mean `x`?" with its fix when a candidate is close to `word` (written
    /// at `span`), else the `otherwise` help if there is one.
    pub fn did_you_mean<'a>(
        self,
        word: &str,
        span: crate::syntax::Span,
        candidates: impl IntoIterator<Item = &'a str>,
        otherwise: Option<String>,
    ) -> Self {
        match closest(word, candidates) {
            Some(best) => self.with_help(format!("did you mean `{best}`?")).with_fix(span, best),
            None => match otherwise {
                Some(help) => self.with_help(help),
                None => self,
            },
        }
    }
}

/// "`a`, `b` or `c`".
pub fn join_or(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_the_intended_word() {
        assert_eq!(closest("stpe", ["step", "stage", "when"]), Some("step"));
        assert_eq!(distance("stpe", "step"), 1);
    }

    #[test]
    fn the_article_goes_by_sound() {
        let cases = [("Account", "an"), ("Email", "an"), ("User", "a"), ("Url", "a"), ("Unit", "a"), ("Case", "a")];
        for (name, article) in cases.into_iter().chain([("Undo", "an"), ("Update", "an"), ("", "a")]) {
            assert_eq!(super::article(name), article, "{name}");
        }
        assert_eq!(closest("renewl_date", ["renewal_date", "name"]), Some("renewal_date"));
    }

    #[test]
    fn unrelated_words_find_nothing() {
        assert_eq!(closest("banana", ["step", "stage"]), None);
    }

    #[test]
    fn choices_read_as_a_sentence() {
        assert_eq!(join_or(&["a", "b", "c"]), "`a`, `b` or `c`");
        assert_eq!(join_or(&["a"]), "`a`");
    }
}

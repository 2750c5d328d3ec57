//! What the book's language tag decides beyond `lang` attributes: the text
//! direction, whether the book may be set vertically, and the words Quire
//! writes itself (Contents, Cover, Notes...) in that language.
//!
//! Tags are read by their subtags (RFC 5646): the primary language subtag,
//! then a four-letter script subtag such as `Arab` or `Latn` where one is
//! given, since a script subtag overrides the language's usual script.

use crate::error::{Warning, Warnings};

/// The direction in which a text is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Ltr,
    Rtl,
}

impl Direction {
    /// Returns the value of the `dir` attribute and of
    /// `page-progression-direction`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ltr => "ltr",
            Direction::Rtl => "rtl",
        }
    }
}

/// Primary language subtags of languages usually written right to left.
///
/// NOTE: a language written in several scripts, such as Punjabi or Kurdish,
/// counts as left to right unless its tag names a right-to-left script
/// (`pa-Arab`). Regions (`pa-PK`) do not decide it.
const RTL_LANGUAGES: &[&str] = &[
    "ar", "arc", "ary", "arz", "azb", "bal", "bqi", "ckb", "dv", "fa", "glk", "he", "iw", "ji",
    "khw", "ks", "lrc", "mzn", "nqo", "pnb", "prs", "ps", "sam", "sd", "sdh", "skr", "syr", "ug",
    "ur", "yi",
];

/// ISO 15924 codes of scripts written right to left.
const RTL_SCRIPTS: &[&str] = &[
    "adlm", "arab", "aran", "armi", "avst", "chrs", "cprt", "elym", "hatr", "hebr", "hung", "khar",
    "lydi", "mand", "mani", "mend", "merc", "mero", "narb", "nbat", "nkoo", "orkh", "ougr", "palm",
    "phli", "phlp", "phnx", "prti", "rohg", "samr", "sarb", "sogd", "sogo", "syrc", "syre", "syrj",
    "syrn", "thaa", "yezi",
];

/// Primary subtags of the Chinese, Japanese and Korean languages, which may
/// be set in vertical lines.
const VERTICAL_LANGUAGES: &[&str] = &["ja", "ko", "zh", "cmn", "yue", "lzh"];

/// ISO 15924 codes of the Han, kana and Hangul scripts and their
/// combinations. Another script subtag (`ja-Latn`) rules out vertical lines.
const VERTICAL_SCRIPTS: &[&str] = &[
    "hani", "hans", "hant", "jpan", "hira", "kana", "hrkt", "kore", "hang", "bopo",
];

/// A language tag split into the subtags that matter here, lowercased.
struct Subtags {
    language: String,
    script: Option<String>,
    region: Option<String>,
}

fn subtags(tag: &str) -> Subtags {
    let mut parts = tag.split(['-', '_']).map(str::to_ascii_lowercase);
    let language = parts.next().unwrap_or_default();
    let mut script = None;
    let mut region = None;
    for part in parts {
        let alphabetic = part.chars().all(|c| c.is_ascii_alphabetic());
        match part.len() {
            // Extended language subtags (`zh-yue`) come before the script.
            3 if alphabetic && script.is_none() && region.is_none() => {}
            4 if alphabetic && script.is_none() && region.is_none() => script = Some(part),
            2 if alphabetic && region.is_none() => region = Some(part),
            3 if part.chars().all(|c| c.is_ascii_digit()) && region.is_none() => {
                region = Some(part)
            }
            _ => break,
        }
    }
    Subtags {
        language,
        script,
        region,
    }
}

/// Returns the direction a language tag implies: right to left for Arabic,
/// Hebrew, Persian, Urdu and the other languages and scripts listed above,
/// else left to right.
pub fn direction(tag: &str) -> Direction {
    let subtags = subtags(tag);
    let rtl = match &subtags.script {
        Some(script) => RTL_SCRIPTS.contains(&script.as_str()),
        None => RTL_LANGUAGES.contains(&subtags.language.as_str()),
    };
    if rtl { Direction::Rtl } else { Direction::Ltr }
}

/// Reports whether a book in this language may be set in vertical lines.
pub fn allows_vertical(tag: &str) -> bool {
    let subtags = subtags(tag);
    VERTICAL_LANGUAGES.contains(&subtags.language.as_str())
        && subtags
            .script
            .is_none_or(|script| VERTICAL_SCRIPTS.contains(&script.as_str()))
}

/// Checks a request for vertical lines against the book's language and
/// page progression direction. Returns whether the book is set vertically:
/// only a Chinese, Japanese or Korean one is, and any other gets a warning.
/// A given left-to-right page progression is kept, with a warning, because
/// vertical lines read from right to left.
pub fn check_vertical(
    lang: &str,
    progression: Option<&str>,
    first_source: &str,
    warnings: &mut Warnings,
) -> bool {
    if !allows_vertical(lang) {
        warnings.push(Warning::new(
            first_source,
            None,
            format!(
                "vertical writing is only for Chinese, Japanese and Korean books, and this book's language is \"{lang}\"; laid it out horizontally. Set the language (such as ja) if the book is in one of them"
            ),
        ));
        return false;
    }
    if progression == Some("ltr") {
        warnings.push(Warning::new(
            first_source,
            None,
            "page-progression-direction ltr turns pages the wrong way for vertical lines, which read from right to left; kept it as given. Remove it, or set rtl",
        ));
    }
    true
}

/// The words Quire writes into a book itself, in one language.
#[derive(Debug, PartialEq, Eq)]
pub struct Labels {
    /// The table of contents' heading and landmark.
    pub contents: &'static str,
    /// The cover page's landmark.
    pub cover: &'static str,
    /// The title page's landmark.
    pub title_page: &'static str,
    /// The landmark of the first chapter.
    pub start_of_content: &'static str,
    /// The heading of the landmarks list, which reading systems may show.
    pub landmarks: &'static str,
    /// The accessible name of a chapter's notes section.
    pub notes: &'static str,
    /// The accessible name of a note's link back to its reference.
    pub back_to_text: &'static str,
}

/// Labels by primary language subtag; `zh-hant` is Chinese in traditional
/// characters. English comes first and is the fallback.
const LABELS: &[(&str, Labels)] = &[
    (
        "en",
        Labels {
            contents: "Contents",
            cover: "Cover",
            title_page: "Title page",
            start_of_content: "Start of content",
            landmarks: "Landmarks",
            notes: "Notes",
            back_to_text: "Back to text",
        },
    ),
    (
        "de",
        Labels {
            contents: "Inhalt",
            cover: "Umschlag",
            title_page: "Titelseite",
            start_of_content: "Textbeginn",
            landmarks: "Orientierungspunkte",
            notes: "Anmerkungen",
            back_to_text: "Zurück zum Text",
        },
    ),
    (
        "fr",
        Labels {
            contents: "Table des matières",
            cover: "Couverture",
            title_page: "Page de titre",
            start_of_content: "Début du texte",
            landmarks: "Repères",
            notes: "Notes",
            back_to_text: "Retour au texte",
        },
    ),
    (
        "es",
        Labels {
            contents: "Índice",
            cover: "Cubierta",
            title_page: "Portada",
            start_of_content: "Comienzo del texto",
            landmarks: "Puntos de referencia",
            notes: "Notas",
            back_to_text: "Volver al texto",
        },
    ),
    (
        "it",
        Labels {
            contents: "Indice",
            cover: "Copertina",
            title_page: "Frontespizio",
            start_of_content: "Inizio del testo",
            landmarks: "Punti di riferimento",
            notes: "Note",
            back_to_text: "Torna al testo",
        },
    ),
    (
        "pt",
        Labels {
            contents: "Sumário",
            cover: "Capa",
            title_page: "Folha de rosto",
            start_of_content: "Início do texto",
            landmarks: "Pontos de referência",
            notes: "Notas",
            back_to_text: "Voltar ao texto",
        },
    ),
    (
        "ru",
        Labels {
            contents: "Оглавление",
            cover: "Обложка",
            title_page: "Титульный лист",
            start_of_content: "Начало текста",
            landmarks: "Ориентиры",
            notes: "Примечания",
            back_to_text: "Назад к тексту",
        },
    ),
    (
        "zh",
        Labels {
            contents: "目录",
            cover: "封面",
            title_page: "扉页",
            start_of_content: "正文开始",
            landmarks: "地标",
            notes: "注释",
            back_to_text: "返回正文",
        },
    ),
    (
        "zh-hant",
        Labels {
            contents: "目錄",
            cover: "封面",
            title_page: "扉頁",
            start_of_content: "正文開始",
            landmarks: "地標",
            notes: "註釋",
            back_to_text: "返回正文",
        },
    ),
    (
        "ja",
        Labels {
            contents: "目次",
            cover: "表紙",
            title_page: "扉",
            start_of_content: "本文開始",
            landmarks: "ランドマーク",
            notes: "注",
            back_to_text: "本文に戻る",
        },
    ),
    (
        "ko",
        Labels {
            contents: "목차",
            cover: "표지",
            title_page: "속표지",
            start_of_content: "본문 시작",
            landmarks: "랜드마크",
            notes: "주석",
            back_to_text: "본문으로 돌아가기",
        },
    ),
    (
        "ar",
        Labels {
            contents: "المحتويات",
            cover: "الغلاف",
            title_page: "صفحة العنوان",
            start_of_content: "بداية النص",
            landmarks: "معالم الكتاب",
            notes: "الحواشي",
            back_to_text: "العودة إلى النص",
        },
    ),
    (
        "he",
        Labels {
            contents: "תוכן העניינים",
            cover: "כריכה",
            title_page: "שער",
            start_of_content: "תחילת הטקסט",
            landmarks: "ציוני דרך",
            notes: "הערות",
            back_to_text: "חזרה לטקסט",
        },
    ),
];

/// Returns the English labels, which [`labels`] falls back to.
pub fn english() -> &'static Labels {
    &LABELS[0].1
}

/// Returns the labels for a language tag, falling back to English.
/// Chinese with the `Hant` script, Cantonese, and Chinese from Taiwan, Hong
/// Kong or Macao with no script given get traditional characters.
pub fn labels(tag: &str) -> &'static Labels {
    let subtags = subtags(tag);
    let key = match (subtags.language.as_str(), subtags.script.as_deref()) {
        ("zh" | "cmn" | "yue" | "lzh", Some("hant")) => "zh-hant",
        ("zh" | "cmn" | "yue" | "lzh", Some(_)) => "zh",
        // Cantonese is mostly written in traditional characters.
        ("yue", None) => "zh-hant",
        ("zh" | "cmn" | "lzh", None)
            if matches!(subtags.region.as_deref(), Some("tw" | "hk" | "mo")) =>
        {
            "zh-hant"
        }
        ("cmn" | "lzh", None) => "zh",
        ("iw", _) => "he",
        (language, _) => language,
    };
    LABELS
        .iter()
        .find(|(language, _)| *language == key)
        .map_or(english(), |(_, labels)| labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direction_from_language() {
        for tag in [
            "ar", "ar-EG", "he", "he-IL", "iw", "fa", "fa-IR", "ur", "ps", "sd", "ug", "yi", "dv",
            "ckb", "syr", "AR",
        ] {
            assert_eq!(direction(tag), Direction::Rtl, "{tag}");
        }
        for tag in [
            "en",
            "de-CH-1901",
            "zh-Hant-TW",
            "ja",
            "ru",
            "x-private",
            "",
        ] {
            assert_eq!(direction(tag), Direction::Ltr, "{tag}");
        }
    }

    #[test]
    fn direction_from_script_subtag() {
        for tag in [
            "pa-Arab",
            "pa-Arab-PK",
            "ms-Arab",
            "az-Arab-IR",
            "jrb-Hebr",
            "mn-Mong",
        ] {
            let expected = if tag == "mn-Mong" {
                Direction::Ltr
            } else {
                Direction::Rtl
            };
            assert_eq!(direction(tag), expected, "{tag}");
        }
        for tag in ["ug-Latn", "ku-Latn", "ar-Latn", "uz-Cyrl"] {
            assert_eq!(direction(tag), Direction::Ltr, "{tag}");
        }
        assert_eq!(
            direction("zh-yue-Arab"),
            Direction::Rtl,
            "the script after an extended language subtag"
        );
    }

    #[test]
    fn vertical_only_for_cjk() {
        for tag in ["ja", "ja-JP", "zh", "zh-Hant-TW", "ko-KR", "yue", "ja-Jpan"] {
            assert!(allows_vertical(tag), "{tag}");
        }
        for tag in ["en", "ar", "mn-Mong", "ja-Latn", "zh-Latn-pinyin", "vi"] {
            assert!(!allows_vertical(tag), "{tag}");
        }
    }

    #[test]
    fn every_label_filled_and_distinct() {
        for (language, labels) in LABELS {
            let words = [
                labels.contents,
                labels.cover,
                labels.title_page,
                labels.start_of_content,
                labels.landmarks,
                labels.notes,
                labels.back_to_text,
            ];
            for (index, word) in words.iter().enumerate() {
                assert!(
                    !word.trim().is_empty(),
                    "{language}: label {index} is empty"
                );
                assert_eq!(word.trim(), *word, "{language}: label {index} has spaces");
                assert!(
                    !words[..index].contains(word),
                    "{language}: \"{word}\" is used for two labels"
                );
            }
        }
    }

    #[test]
    fn unknown_language_falls_back_to_english() {
        for tag in ["nl", "sw-KE", "", "x-klingon", "fa"] {
            assert_eq!(labels(tag).contents, "Contents", "{tag}");
        }
    }

    /// Checks a language's labels through tags as books write them.
    fn assert_labels(tags: &[&str], contents: &str, cover: &str, notes: &str, back: &str) {
        for tag in tags {
            let labels = labels(tag);
            assert_eq!(labels.contents, contents, "{tag}: contents");
            assert_eq!(labels.cover, cover, "{tag}: cover");
            assert_eq!(labels.notes, notes, "{tag}: notes");
            assert_eq!(labels.back_to_text, back, "{tag}: back to text");
        }
    }

    #[test]
    fn labels_english() {
        assert_labels(
            &["en", "en-GB", "en-US"],
            "Contents",
            "Cover",
            "Notes",
            "Back to text",
        );
        assert_eq!(labels("en").title_page, "Title page");
        assert_eq!(labels("en").landmarks, "Landmarks");
        assert_eq!(labels("en").start_of_content, "Start of content");
    }

    #[test]
    fn labels_german() {
        assert_labels(
            &["de", "de-AT", "de-CH-1901"],
            "Inhalt",
            "Umschlag",
            "Anmerkungen",
            "Zurück zum Text",
        );
        assert_eq!(labels("de").title_page, "Titelseite");
    }

    #[test]
    fn labels_french() {
        assert_labels(
            &["fr", "fr-CA"],
            "Table des matières",
            "Couverture",
            "Notes",
            "Retour au texte",
        );
        assert_eq!(labels("fr").title_page, "Page de titre");
    }

    #[test]
    fn labels_spanish() {
        assert_labels(
            &["es", "es-419", "es-MX"],
            "Índice",
            "Cubierta",
            "Notas",
            "Volver al texto",
        );
        assert_eq!(labels("es").title_page, "Portada");
    }

    #[test]
    fn labels_italian() {
        assert_labels(
            &["it", "it-CH"],
            "Indice",
            "Copertina",
            "Note",
            "Torna al testo",
        );
        assert_eq!(labels("it").title_page, "Frontespizio");
    }

    #[test]
    fn labels_portuguese() {
        assert_labels(
            &["pt", "pt-BR", "pt-PT"],
            "Sumário",
            "Capa",
            "Notas",
            "Voltar ao texto",
        );
        assert_eq!(labels("pt").title_page, "Folha de rosto");
    }

    #[test]
    fn labels_russian() {
        assert_labels(
            &["ru", "ru-RU"],
            "Оглавление",
            "Обложка",
            "Примечания",
            "Назад к тексту",
        );
        assert_eq!(labels("ru").title_page, "Титульный лист");
    }

    #[test]
    fn labels_chinese_simplified() {
        assert_labels(
            &["zh", "zh-CN", "zh-Hans", "zh-Hans-HK", "cmn", "zh-SG"],
            "目录",
            "封面",
            "注释",
            "返回正文",
        );
        assert_eq!(labels("zh").title_page, "扉页");
    }

    #[test]
    fn labels_chinese_traditional() {
        assert_labels(
            &[
                "zh-Hant",
                "zh-TW",
                "zh-HK",
                "zh-MO",
                "zh-Hant-CN",
                "yue",
                "yue-HK",
            ],
            "目錄",
            "封面",
            "註釋",
            "返回正文",
        );
        assert_eq!(labels("zh-TW").title_page, "扉頁");
    }

    #[test]
    fn labels_japanese() {
        assert_labels(
            &["ja", "ja-JP", "ja-Jpan"],
            "目次",
            "表紙",
            "注",
            "本文に戻る",
        );
        assert_eq!(labels("ja").title_page, "扉");
    }

    #[test]
    fn labels_korean() {
        assert_labels(
            &["ko", "ko-KR"],
            "목차",
            "표지",
            "주석",
            "본문으로 돌아가기",
        );
        assert_eq!(labels("ko").title_page, "속표지");
    }

    #[test]
    fn labels_arabic() {
        assert_labels(
            &["ar", "ar-EG", "ar-SA"],
            "المحتويات",
            "الغلاف",
            "الحواشي",
            "العودة إلى النص",
        );
        assert_eq!(labels("ar").title_page, "صفحة العنوان");
    }

    #[test]
    fn labels_hebrew() {
        assert_labels(
            &["he", "he-IL", "iw"],
            "תוכן העניינים",
            "כריכה",
            "הערות",
            "חזרה לטקסט",
        );
        assert_eq!(labels("he").title_page, "שער");
    }
}

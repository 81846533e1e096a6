"""Scripts, keys and the ICAO MRZ Arabic table."""

from __future__ import annotations

from borderwatch.domain.names.transliterate import (
    ArabicScript,
    fold_arabic,
    latin_phonetic,
    script_of,
    skeleton_of,
    to_latin_text,
)
from borderwatch.domain.names.variants import NameTables


def test_script_detection() -> None:
    assert script_of("يوسف بن جلون") == "Arab"
    assert script_of("Сергей") == "Cyrl"
    assert script_of("Γεώργιος") == "Grek"
    assert script_of("毛泽东") == "Hani"
    assert script_of("Saïd") == "Latn"


def test_fold_arabic_alef_forms_marks_and_persian_letters() -> None:
    # names.md §5.9: أ إ آ → ا, harakat and tatweel dropped, Persian ک ی → ك ي
    assert fold_arabic("أَحْمَد") == "احمد"
    assert fold_arabic("إبراهيم") == "ابراهيم"
    assert fold_arabic("کریم") == "كريم"
    assert fold_arabic("محـــمد") == "محمد"


def test_other_scripts_to_latin() -> None:
    assert to_latin_text("Сергей Иванов") == "SERGEY IVANOV"
    assert to_latin_text("毛泽东") == "MAO ZEDONG"
    assert to_latin_text("Saïd Aïcha") == "SAID AICHA"


def test_phonetic_key_folds_french_and_english_romanisation() -> None:
    assert latin_phonetic("MOHAMED") == latin_phonetic("MUHAMMAD")
    assert latin_phonetic("HUSSEIN") == latin_phonetic("HUSAYN")
    assert latin_phonetic("OTHMANE") == latin_phonetic("UTHMAN")
    assert latin_phonetic("OUALID") == latin_phonetic("WALID")
    assert latin_phonetic("MAHMOUD") != latin_phonetic("MOHAMED")  # long vowels kept apart


def test_skeleton_drops_vowels_keeps_initial_glide() -> None:
    assert skeleton_of(latin_phonetic("MOHAMED")) == "MHMD"
    assert skeleton_of(latin_phonetic("YOUSSEF")) == "YSF"
    assert skeleton_of(latin_phonetic("SAIF")) == "SF"
    assert skeleton_of(latin_phonetic("FATIMAH")) == skeleton_of(latin_phonetic("FATIMA"))


def test_icao_mrz_round_trip(tables: NameTables) -> None:
    arabic = ArabicScript.build(tables.letters)
    # names.md §2.1: محمد → MXHMD, عبدالرحيم → EBDALRXHYM
    assert arabic.to_mrz("محمد") == "MXHMD"
    assert arabic.to_mrz("عبدالرحيم") == "EBDALRXHYM"
    assert arabic.from_mrz_name("MXHMD") == "محمد"
    assert arabic.from_mrz_name("EBDALRXHYM<MXHMD") == "عبدالرحيم محمد"


def test_ordinary_latin_names_are_not_taken_for_mrz_arabic(tables: NameTables) -> None:
    arabic = ArabicScript.build(tables.letters)
    assert arabic.from_mrz_name("ALEXANDER") is None  # XAN is no code
    assert arabic.from_mrz_name("MAX COOPER") is None  # O and C are never used by the table

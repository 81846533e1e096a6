"""Scripts and keys: Arabic script to a Latin key and back to the ICAO MRZ, other scripts to Latin,
and the two keys every Latin token gets: a phonetic key and an Arabic-aware consonant skeleton.

Why keys: Arabic writes consonants and long vowels only, so each Latin spelling adds vowels by ear
(names.md §3 "Unwritten vowels"). The *skeleton* drops vowels and glides and folds digraphs to one
class per Arabic letter (kh, gh, sh/ch, th, dh, dj), which brings Mohamed, Muhammad and محمد to
`MHMD`. It collides (Mahmoud, Hussein/Hassan), so it finds candidates and supports a match; the
*phonetic key* keeps folded vowels (o/u, e/a) and decides between look-alikes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from anyascii import anyascii

from borderwatch.domain.names.variants import ArabicLetter

# Unicode blocks (Arabic, Arabic Supplement, Extended-A, Presentation Forms).
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_CYRILLIC = re.compile("[\u0400-\u052f]")
_GREEK = re.compile("[\u0370-\u03ff\u1f00-\u1fff]")
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HANGUL = re.compile("[\uac00-\ud7af\u1100-\u11ff]")
# Harakat, superscript alif, Quranic marks and tatweel carry no identity (names.md §5.9).
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ALEF_FORMS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ک": "ك", "ی": "ي", "ې": "ي"})
_VOWELS = frozenset("AEIOU")
BREAK = "|"  # digraph breaker inside Arabic-derived keys: ط + ه is T|H, not the letter ث (TH)


def script_of(text: str) -> str:
    """Return the ISO 15924 code of the script a name is written in (Arab, Cyrl, Grek, Hani, Hang, Latn)."""
    if _ARABIC.search(text):
        return "Arab"
    if _CYRILLIC.search(text):
        return "Cyrl"
    if _GREEK.search(text):
        return "Grek"
    if _HAN.search(text):
        return "Hani"
    if _HANGUL.search(text):
        return "Hang"
    return "Latn"


def fold_arabic(text: str) -> str:
    """Return Arabic text with marks and tatweel dropped and letter forms folded (names.md §5.9)."""
    text = unicodedata.normalize("NFKC", text)  # presentation forms to base letters
    text = _ARABIC_MARKS.sub("", text).translate(_ALEF_FORMS)
    # ة and ه at word end are written for one another.
    return re.sub("ة(?=\\s|$)", "ه", text)


def to_latin_text(text: str) -> str:
    """Return a non-Arabic name in upper-case ASCII: diacritics, Cyrillic, Greek and Chinese via anyascii."""
    script = script_of(text)
    if script in ("Hani", "Hang"):
        # One syllable per character; a Chinese or Korean given name is written joined (Zedong).
        chars = [anyascii(ch).strip() for ch in text if not ch.isspace()]
        chars = [c for c in chars if c]
        if len(chars) >= 3 and " " not in text.strip():
            return f"{chars[0]} {''.join(chars[1:])}".upper()
        return " ".join(anyascii(part) for part in text.split()).upper()
    return anyascii(text).upper()


@dataclass(frozen=True, slots=True)
class ArabicScript:
    """Arabic-script conversions built from the letter table: to a Latin key, to and from the MRZ."""

    latin: Mapping[str, str]
    mrz: Mapping[str, str]
    from_mrz: tuple[tuple[str, str], ...]  # (code, letter), longest code first

    @classmethod
    def build(cls, letters: Iterable[ArabicLetter]) -> ArabicScript:
        """Return the converter for a letter table."""
        rows = tuple(letters)
        latin = {row.letter: row.latin for row in rows}
        mrz = {row.letter: row.mrz for row in rows}
        # Decoding: prefer the letters a folded Arabic text uses (ا over أ, ي over ی, ك over ک).
        preferred: dict[str, str] = {}
        for row in rows:
            folded = fold_arabic(row.letter)
            if row.mrz and (row.mrz not in preferred or folded == row.letter):
                preferred[row.mrz] = row.letter
        pairs = sorted(preferred.items(), key=lambda kv: (-len(kv[0]), kv[0]))
        return cls(latin=latin, mrz=mrz, from_mrz=tuple(pairs))

    def word_to_latin(self, word: str) -> str:
        """Return the Latin key of one folded Arabic word: consonants as written, long vowels as A/U/I.

        و and ي are glides (W, Y) at a word's start or after a vowel and long vowels (U, I)
        elsewhere; ع is rendered A (it stands where Latin writes a vowel: Ali, Omar, Abd).
        """
        out: list[str] = []
        prev_vowel = True
        for idx, ch in enumerate(word):
            if ch == "و":
                piece = "W" if prev_vowel or idx == 0 else "U"
            elif ch == "ي":
                piece = "Y" if prev_vowel or idx == 0 else "I"
            elif ch == "ع":
                piece = "A"
            else:
                piece = self.latin.get(ch, "")
                if not piece and not _ARABIC.match(ch) and ch.isalnum():
                    piece = anyascii(ch).upper()
            if not piece:
                continue
            if out and out[-1][-1:] in "TSKGDZCP" and piece[0] in "HJ":
                out.append(BREAK)
            out.append(piece)
            prev_vowel = piece[-1] in "AIUW" and ch not in "ي"
        return "".join(out)

    def to_mrz(self, text: str) -> str:
        """Return the ICAO Doc 9303 Part 3 MRZ transliteration of Arabic text (words joined by `<`)."""
        words = []
        for word in _ARABIC_MARKS.sub("", unicodedata.normalize("NFKC", text)).split():
            codes = []
            for idx, ch in enumerate(word):
                if ch == "ة":
                    codes.append("XAH" if idx == len(word) - 1 else "XTA")  # XAH at a component's end
                else:
                    codes.append(self.mrz.get(ch, ""))
            words.append("".join(codes))
        return "<".join(words)

    def from_mrz_name(self, name: str) -> str | None:
        """Return the Arabic decoded from an X-escaped ICAO MRZ name, or None when it is not one.

        ICAO Doc 9303 Part 3 §6 (recommended): Arabic letters without a one-letter code are written
        X + code (XH ح, XKH خ, XSH ش...), so the MRZ can be turned back into Arabic. A name is taken
        for one only when it uses no letter outside the table (C, O, V are never used), carries at
        least one X-escape and every word decodes completely.
        """
        text = name.strip().upper().replace("<", " ")
        if not text or not re.fullmatch("[A-Z ]+", text) or re.search("[COV]", text) or "X" not in text:
            return None
        words = []
        for word in text.split():
            pos, letters = 0, []
            while pos < len(word):
                for code, letter in self.from_mrz:
                    if word.startswith(code, pos):
                        letters.append(letter)
                        pos += len(code)
                        break
                else:
                    return None
            words.append("".join(letters))
        return " ".join(words)


# Ordered rewrite rules for the phonetic key; longest patterns are tried first at each position.
_DIGRAPHS: tuple[tuple[str, str], ...] = (
    ("TSCH", "C"),
    ("TCH", "C"),
    ("SCH", "C"),
    ("DJ", "J"),
    ("DZ", "J"),
    ("ZH", "J"),
    ("SH", "C"),
    ("CH", "C"),
    ("KH", "X"),
    ("GH", "G"),
    ("TH", "T"),
    ("DH", "D"),
    ("PH", "F"),
    ("CK", "K"),
    ("OU", "U"),
    ("OO", "U"),
    ("EE", "I"),
)
_SINGLE = {"Q": "K", "P": "B", "O": "U", "E": "A", "X": "KS"}
# The digraphs by their first letter, in the order above: a position tries only those that can match.
_DIGRAPHS_AT: dict[str, tuple[tuple[str, str], ...]] = {
    first: tuple(d for d in _DIGRAPHS if d[0][0] == first) for first in {pat[0] for pat, _ in _DIGRAPHS}
}
_DOUBLED = re.compile(r"(.)\1+")


def latin_phonetic(token: str) -> str:
    """Return the phonetic key of an upper-case Latin token: Arabic-aware digraphs, folded vowels.

    French/Maghreb against English-style romanisation (names.md §2, §3): ou/u, ch/sh, dj/j, kh, gh,
    q/k, e/a, c before e/i as s (Youcef, Kacem), doubled letters, a French mute final -e (Othmane).
    Vowels are kept, folded to A, I, U, so that Mahmoud (MAHMUD) and Mohamed (MUHAMAD) stay apart.
    """
    word = token.upper()
    if len(word) > 4 and word.endswith("E") and word[-2] not in _VOWELS:
        word = word[:-1]  # French mute e: Othmane, Slimane, Hocine
    out: list[str] = []
    i, n = 0, len(word)
    while i < n:
        ch = word[i]
        if ch == BREAK:
            out.append(BREAK)
            i += 1
            continue
        for pat, rep in _DIGRAPHS_AT.get(ch, ()):
            if word.startswith(pat, i):
                # OU before a vowel is the glide w (Oualid, Ouahid).
                if pat == "OU" and i + 2 < n and word[i + 2] in _VOWELS:
                    rep = "W"
                out.append(rep)
                i += len(pat)
                break
        else:
            if ch == "C":
                out.append("S" if i + 1 < n and word[i + 1] in "EIY" else "K")
            elif ch == "Y":
                before = out[-1] if out else ""
                after = word[i + 1] if i + 1 < n else ""
                # y is a consonant at the start or before a vowel, else the vowel i (Husayn = Hussein).
                out.append("Y" if (not before or before == BREAK) or after in _VOWELS else "I")
            elif ch.isalpha():
                out.append(_SINGLE.get(ch, ch))
            i += 1
    key = "".join(out).replace(BREAK, "")
    # Doubled letters carry nothing across conventions (Hassan/Hasan, Mohammed/Mohamed).
    collapsed = _DOUBLED.sub(r"\1", key)
    return collapsed.replace("AY", "AI")


def skeleton_of(phonetic: str) -> str:
    """Return the consonant skeleton of a phonetic key: vowels and glides dropped, doubles folded.

    A word-final H is dropped as well (Fatimah/Fatima, Abdullah/عبدالله, Taha/طه), which the
    Arabic side also does. A glide that starts the word is kept (Yusuf YSF is not Saif SF; Walid WLD).
    """
    consonants = [ch for idx, ch in enumerate(phonetic) if ch not in "AIUWY" or (idx == 0 and ch in "WY")]
    key = _DOUBLED.sub(r"\1", "".join(consonants).replace(BREAK, ""))
    if len(key) > 1 and key.endswith("H"):
        key = key[:-1]
    return key

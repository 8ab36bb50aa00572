"""Scripts written without spaces between words, as character ranges for regexes: the
parsers that count or split words (`links`, `page_kind`) share them."""

from __future__ import annotations

CJK_RANGES = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
THAI_RANGES = r"\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff"  # and Lao, Myanmar, Khmer

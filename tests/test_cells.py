"""Cell widths: one measure for layout and tables, and output that survives terminals that
measure differently (the pty tests show both on an emulated screen)."""

from __future__ import annotations

from rich.cells import cell_len

import rcinbox.cells  # noqa: F401 - the correction applies on import
from rcinbox.text import fit, one_line


def test_spacing_marks_take_the_cell_wcwidth_gives_them() -> None:
    assert cell_len("का") == 2  # KA + the vowel sign AA (Mc): two cells in tmux and xterm
    assert cell_len("सुनीता") == 5
    # Everything else as Rich measures it.
    assert cell_len("कु") == 1  # a nonspacing mark (Mn) takes none
    assert cell_len("e\u0301") == 1
    assert cell_len("黄磊") == 4
    assert cell_len("👩\u200d👩\u200d👧") == 2
    assert cell_len("مَرْحَبًا") == 5


def test_fit_and_one_line_count_cells_not_characters() -> None:
    for text in ("黄磊您好：我还在和仓库确认", "मुझे बैकपैक वापस करना है", "👩\u200d👩\u200d👧 ok"):
        for width in range(1, 12):
            assert cell_len(fit(text, width)) == width
            assert cell_len(one_line(text, width)) <= width
    assert fit("a黄b", 2) == "a…"
    assert one_line("Hi there. More", 11) == "Hi there. …"


def test_ordinary_text_is_written_as_it_is() -> None:
    from rcinbox.tui.anchoring import anchored

    for text in ("plain ASCII", "Zoé · Käthe · Ωμέγα", "黄磊您好", "मुझे"):
        assert anchored(text) == text


def test_disputed_graphemes_cannot_move_what_follows() -> None:
    from rcinbox.tui.anchoring import anchored

    family = "👩\u200d👩\u200d👧"
    assert anchored(f"a {family} b") == f"a \x1b7\x1b[2X{family}\x1b8\x1b[2C b"
    assert anchored("का") == "क\x1b7\x1b[1Xा\x1b8\x1b[1C"

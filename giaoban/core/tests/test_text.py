import unicodedata

from giaoban.core.text import fold, nfc


def test_it_folds_old_and_new_tone_placement_to_the_same_key():
    assert fold("Uỷ viên BTV") == fold("Ủy viên BTV") == "uy vien btv"
    assert fold("hoà") == fold("hòa") == "hoa"


def test_it_folds_decomposed_input_like_composed_input():
    decomposed = unicodedata.normalize("NFD", "Phùng Mạnh Khang")
    assert decomposed != "Phùng Mạnh Khang"
    assert fold(decomposed) == fold("Phùng Mạnh Khang") == "phung manh khang"


def test_it_folds_d_with_stroke():
    assert fold("Đảng ủy") == "dang uy"


def test_it_stores_text_as_nfc_with_single_spaces():
    assert nfc(unicodedata.normalize("NFD", "  Vàng   Bích Liên ")) == "Vàng Bích Liên"
    assert unicodedata.is_normalized("NFC", nfc(unicodedata.normalize("NFD", "Lê Mạnh Hảo")))


def test_multi_line_text_keeps_its_line_breaks():
    from giaoban.core.text import nfc_text

    raw = unicodedata.normalize(
        "NFD", "  Kết quả   đạt được\r\n\n\n\n- Dân vận khéo  \n- Tiêm vắc xin "
    )
    assert nfc_text(raw) == "Kết quả đạt được\n\n- Dân vận khéo\n- Tiêm vắc xin"


def test_single_line_text_loses_control_and_invisible_characters():
    # U+202E would show "Lò Văn Hải" reversed; U+200B hides inside a name; \x01\x08 broke Word.
    assert nfc("Lò\x00 Văn\x01\x08 Hải\u202e\u200b\u2066") == "Lò Văn Hải"
    assert nfc("Tảo\thôn\nở Sa Pa\ud800\uffff") == "Tảo hôn ở Sa Pa"


def test_multi_line_text_keeps_line_breaks_but_no_other_control():
    from giaoban.core.text import nfc_text

    assert nfc_text("Kết luận\x00\x0b\n- Một\u202e\x1f\n- Hai") == "Kết luận\n- Một\n- Hai"


def test_printable_keeps_line_breaks_and_tabs():
    from giaoban.core.text import printable

    assert printable("a\tb\nc\x01\x08d\ufeff") == "a\tb\ncd"

"""Reading the CSV files spreadsheets save, and writing ones that open safely in them."""

import datetime

import pytest

from returns_portal.csvio.files import CsvFileError, csv_lines, escape_cell, read_csv, unescape_cell


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_escaped_with_a_quote(start):
    assert escape_cell(f"{start}HYPERLINK(1)") == f"'{start}HYPERLINK(1)"


@pytest.mark.parametrize("value", ["Linen shirt", "3700000000001", "", "a=b", "'quoted"])
def test_other_cells_are_written_as_they_are(value):
    assert escape_cell(value) == value


@pytest.mark.parametrize("value", ["=1+2", "-12", "@SUM(A1)", "+33 1 23", "plain", "'kept"])
def test_reading_an_escaped_cell_gives_back_what_was_exported(value):
    assert unescape_cell(escape_cell(value)) == value.strip()


def test_every_cell_of_an_export_is_escaped_and_typed_values_are_written_plainly():
    lines = list(
        csv_lines(
            ["reference", "label"],
            [["=cmd|' /C calc'!A0", True], [None, datetime.date(2026, 1, 31)], ["-5", False]],
        )
    )

    assert lines == [
        "reference,label\r\n",
        "'=cmd|' /C calc'!A0,true\r\n",
        ",2026-01-31\r\n",
        "'-5,false\r\n",
    ]


def test_a_utf8_file_with_a_byte_order_mark_reads_like_one_without():
    with_bom = read_csv("\ufeffReference,Label\nSKU-1,Chemise en lin\n".encode())
    without = read_csv(b"reference,label\nSKU-1,Chemise en lin\n")

    assert with_bom.header == without.header == ["reference", "label"]
    assert list(with_bom.records()) == list(without.records()) == [(2, ["SKU-1", "Chemise en lin"])]


def test_semicolons_are_recognised_as_the_separator():
    table = read_csv(b"reference;label;weight_grams\nSKU-1;Shirt, linen;300\n")

    assert table.delimiter == ";"
    assert list(table.records()) == [(2, ["SKU-1", "Shirt, linen", "300"])]


def test_blank_rows_are_skipped_and_rows_keep_their_spreadsheet_numbers():
    table = read_csv(b"reference,label\nA,One\n,\n\nB,Two\nC\n")

    assert list(table.records()) == [(2, ["A", "One"]), (5, ["B", "Two"]), (6, ["C", ""])]
    assert table.count() == 3


def test_a_quoted_cell_may_hold_separators_and_new_lines():
    table = read_csv(b'reference,label\nA,"One, two\nthree"\nB,Four\n')

    assert list(table.records()) == [(2, ["A", "One, two\nthree"]), (3, ["B", "Four"])]


def test_empty_columns_after_the_last_one_are_dropped_from_the_header():
    assert read_csv(b"reference,label,,\nA,One,,\n").header == ["reference", "label"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00", "spreadsheet file"),
        ("reference,label\nA,Caf\xe9\n".encode("latin-1"), "not UTF-8"),
        (b"", "empty"),
        (b"\nreference,label\n", "empty"),
        (b"reference\x00,label\n", "not text"),
    ],
    ids=["xlsx", "latin-1", "empty", "blank first row", "binary"],
)
def test_a_file_that_is_not_utf8_csv_with_a_header_is_refused_with_why(content, message):
    with pytest.raises(CsvFileError, match=message):
        read_csv(content)

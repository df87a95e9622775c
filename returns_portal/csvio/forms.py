"""The upload form of a CSV import."""

from pathlib import Path

from django import forms
from django.conf import settings

EXTENSIONS = (".csv", ".txt")


class CsvUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8 (with or without BOM), separated by commas or semicolons, with a header "
        "row naming the columns.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in EXTENSIONS:
            raise forms.ValidationError(
                "Upload a .csv file (from a spreadsheet: save as “CSV UTF-8”)."
            )
        limit = settings.CSV_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB; the most is "
                f"{limit / 1024 / 1024:.0f} MB."
            )
        if upload.size == 0:
            raise forms.ValidationError("The file is empty.")
        return upload

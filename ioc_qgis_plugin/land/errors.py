"""Errors of the land package: the message is written for the person importing the file."""


class CadastreError(Exception):
    """The file cannot be imported as it is; nothing was written."""


class ImportCancelled(CadastreError):
    """The user cancelled; the transaction was rolled back."""

"""Store errors carry a message a user can act on; the GUI shows them in the message bar, never a traceback."""


class StoreError(Exception):
    """Base class: anything the store refuses or cannot do."""


class NotAnIocStore(StoreError):
    """The file/database exists but is not an IOC store (foreign or corrupt)."""


class SchemaVersionError(StoreError):
    """The store was written by another schema version."""


class StoreUnavailable(StoreError):
    """The database cannot be reached or refused the login."""


class ConflictError(StoreError):
    """Someone else changed the record since it was read (optimistic locking)."""


class AlreadyExists(StoreError):
    """Refusing to overwrite an existing store."""


class StoreBusy(StoreError):
    """Another program kept the store locked longer than we wait; nothing was changed, try again."""


class StoreDamaged(StoreError):
    """SQLite reports the file as damaged; the store refuses to write to it (restore a backup)."""

"""Qt item models over the app's in-memory state (QtCore/QtGui only, no widgets)."""

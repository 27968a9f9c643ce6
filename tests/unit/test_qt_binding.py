"""Guards against a Qt binding that corrupts the interpreter.

PySide6 6.12.0 on Python 3.11 returns ``None`` from void methods without taking a new
reference; every call lowers None's reference count until Python aborts with
``none_dealloc``. The app calls such methods thousands of times a minute.
"""

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QObject, QSize


def test_void_methods_do_not_leak_references_to_none():
    obj = QObject()
    size = QSize(1, 2)
    before = sys.getrefcount(None)
    for _ in range(2000):
        obj.setObjectName("x")
        size.setWidth(3)
    assert sys.getrefcount(None) - before > -100

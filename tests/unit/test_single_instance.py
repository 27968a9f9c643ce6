import os
import uuid

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tray_app.single_instance import SingleInstance, default_socket_name


def test_second_instance_hands_open_to_the_first(qtbot):
    name = default_socket_name(scope=uuid.uuid4().hex)
    first = SingleInstance(name)
    assert first.claim() is True
    try:
        second = SingleInstance(name)
        with qtbot.waitSignal(first.message_received, timeout=3000) as blocker:
            assert second.claim() is False
        assert blocker.args == ["open"]
    finally:
        first.release()


def test_claim_after_release_succeeds(qtbot):
    name = default_socket_name(scope=uuid.uuid4().hex)
    first = SingleInstance(name)
    assert first.claim()
    first.release()
    again = SingleInstance(name)
    assert again.claim() is True
    again.release()


def test_socket_name_differs_per_scope():
    assert default_socket_name("a") != default_socket_name("b")

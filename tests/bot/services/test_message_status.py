from bot.services.message_status import moves_forward


def test_states_move_one_way_only() -> None:
    assert moves_forward("pending", "queued")
    assert moves_forward("queued", "sent")
    assert moves_forward("sent", "delivered")
    assert not moves_forward("delivered", "sent")
    assert not moves_forward("sent", "queued")
    assert not moves_forward("delivered", "undelivered")  # terminal states never swap
    assert not moves_forward("failed", "delivered")
    assert not moves_forward("queued", "made-up")

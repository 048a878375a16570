import pytest

from app.handler import InvalidMessage, Message, handle, parse


def test_a_json_object_is_handled() -> None:
    message = Message(message_id="m-1", body='{"order": 42}')

    assert parse(message) == {"order": 42}
    handle(message)  # returns: the consumer deletes the message


@pytest.mark.parametrize("body", ["not json", "[1, 2]", '"text"'])
def test_a_body_that_is_not_a_json_object_is_refused(body: str) -> None:
    with pytest.raises(InvalidMessage, match="m-2"):
        handle(Message(message_id="m-2", body=body))

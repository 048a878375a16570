from __future__ import annotations

import json
import logging

from bot.logs import REDACTED, JsonFormatter, log_event, redact


def test_fields_that_name_credentials_are_redacted() -> None:
    assert redact(
        {
            "delivery_id": "d",
            "token": "ghs_x",
            "headers": {"Authorization": "Bearer x"},
            "api_key": "k",
        }
    ) == {
        "delivery_id": "d",
        "token": REDACTED,
        "headers": {"Authorization": REDACTED},
        "api_key": REDACTED,
    }


def test_a_log_line_is_one_json_object_with_the_event_and_its_fields() -> None:
    records: list[logging.LogRecord] = []
    logger = logging.getLogger("sbh.test")
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger.addHandler(handler)
    try:
        log_event(logger, logging.WARNING, "delivery.stored", delivery_id="d-1", webhook_secret="s")
    finally:
        logger.removeHandler(handler)

    line = json.loads(JsonFormatter().format(records[0]))
    assert line["event"] == "delivery.stored"
    assert line["level"] == "warning"
    assert line["delivery_id"] == "d-1"
    assert line["webhook_secret"] == REDACTED

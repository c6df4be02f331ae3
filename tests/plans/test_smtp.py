"""plans.smtp.MailSession against a real SMTP server: a message in two steps, or dropped."""

import time

from django.core.mail import EmailMessage

from plans.smtp import MailSession


def message(subject: str, body: str = "Hello.\n") -> EmailMessage:
    return EmailMessage(subject=subject, body=body, to=["someone@example.com"])


def test_a_staged_message_arrives_only_when_released_with_its_dotted_lines_intact(smtp_server):
    # given: a body with lines that start with a period, one of them a lone period
    body = "First line.\n.\n.hidden\n..two\nLast line.\n"
    session = MailSession()
    try:
        # when
        session.stage(message("Dots", body))
        time.sleep(0.2)
        staged_only = list(smtp_server.messages)
        session.release()
    finally:
        session.close()
    # then
    assert staged_only == []
    [received] = smtp_server.messages
    assert received["Subject"] == "Dots"
    assert received.get_content().replace("\r\n", "\n") == body


def test_an_aborted_message_is_dropped_and_the_next_one_goes_out(smtp_server):
    session = MailSession()
    try:
        # given: a message staged (its body is with the server), then aborted
        session.stage(message("Dropped"))
        session.abort()
        # when: the next message goes out on the same session
        session.stage(message("Kept"))
        session.release()
    finally:
        session.close()
    # then
    time.sleep(0.2)
    assert [m["Subject"] for m in smtp_server.messages] == ["Kept"]


def test_the_terminator_is_not_held_back_by_nagle(smtp_server):
    # given: a session that has staged a message (its body gets no reply, so its ACK is delayed)
    import socket

    session = MailSession()
    try:
        session.stage(message("Fast"))
        # then: small writes such as the terminator leave at once
        sock = session.backend.connection.sock
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        session.release()
    finally:
        session.close()

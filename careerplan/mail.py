from django.core.mail.backends.console import EmailBackend as ConsoleBackend
from django.core.mail.backends.filebased import EmailBackend as FileBackend


class ConsoleAndFileEmailBackend(FileBackend):
    """Embedded-mode email: printed to the console and kept as files under EMAIL_FILE_PATH."""

    def send_messages(self, email_messages):
        ConsoleBackend(fail_silently=self.fail_silently).send_messages(email_messages)
        return super().send_messages(email_messages)

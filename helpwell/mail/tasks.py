from django_tasks import task

from . import outbox


@task()
def deliver_mail(mail_id: int) -> str:
    return outbox.deliver(mail_id)


@task()
def process_inbound_mail(inbound_id: int) -> str:
    from .inbound.ingest import process
    from .models import InboundMail

    inbound = InboundMail.objects.filter(pk=inbound_id, status=InboundMail.Status.RECEIVED).first()
    return process(inbound) if inbound is not None else "gone"

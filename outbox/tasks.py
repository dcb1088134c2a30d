"""Thin Celery entry points for the outbox: ids in, a service call, nothing else."""

from celery import shared_task

from outbox import delivery, dispatch


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def deliver_mail(self, *, mail_id: int) -> None:
    while True:
        try:
            delivery.deliver(mail_id)
        except delivery.TransientMailError as exc:
            if self.request.is_eager:
                # In-process (the embedded default, tests) no worker comes back later, and with
                # task_eager_propagates Celery raises its Retry to the caller instead of running
                # the task again. So try again now: deliver() gives up after MAIL_MAX_ATTEMPTS.
                continue
            # The number of tries is kept on the row (attempts), not by Celery, so a mail handed
            # over again by the sweeper does not start counting from zero.
            raise self.retry(exc=exc, countdown=exc.retry_in) from exc
        return


@shared_task(acks_late=True, reject_on_worker_lost=True)
def deliver_mails(*, mail_ids: list[int]) -> None:
    # One task for a batch (queue_mails()): a mail that fails for now gets a task of its own.
    delivery.deliver_many(mail_ids)


@shared_task(acks_late=True)
def requeue_stale_mail() -> int:
    return dispatch.requeue_stale()

"""Catalog background work."""

import requests
from celery import shared_task

from .pictures import PictureRejected
from .services import product_fetch_picture


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(requests.ConnectionError, requests.Timeout),
    retry_backoff=30,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def fetch_product_picture(self, product_id: str, url: str) -> bool:
    """Fetch a picture given by URL. A refused URL or image is logged, not retried."""
    try:
        return product_fetch_picture(product_id=product_id, url=url) is not None
    except PictureRejected as exc:
        self.get_logger().warning("picture for product %s refused: %s", product_id, exc.message)
        return False
    except requests.HTTPError as exc:
        status = exc.response.status_code if exc.response is not None else None
        if status is not None and (status == 429 or status >= 500):
            raise self.retry(exc=exc) from exc
        self.get_logger().warning("picture for product %s: %s", product_id, exc)
        return False

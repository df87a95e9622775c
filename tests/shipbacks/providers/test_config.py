import pytest
from django.core.exceptions import ImproperlyConfigured

from shipbacks.providers import get_client, provider_base_url, warehouse_adapter
from shipbacks.providers.kibo.client import KiboClient
from shipbacks.providers.shipbob.client import ShipBobClient
from shipbacks.providers.shippingbo.client import ShippingboClient
from shipbacks.providers.shoprunback.client import ShopRunBackClient


def test_a_provider_without_url_falls_back_to_the_sandbox(settings):
    settings.SHIPBOB_URL = ""
    settings.SANDBOX_BASE_URL = "http://127.0.0.1:8000/"

    assert provider_base_url("shipbob") == "http://127.0.0.1:8000/sandbox/shipbob"


def test_a_configured_url_is_used_as_is(settings):
    settings.SHIPPINGBO_URL = "https://app.shippingbo.com/"

    assert provider_base_url("shippingbo") == "https://app.shippingbo.com"


@pytest.mark.parametrize(
    ("name", "client_class"),
    [
        ("shoprunback", ShopRunBackClient),
        ("shippingbo", ShippingboClient),
        ("shipbob", ShipBobClient),
        ("kibo", KiboClient),
    ],
)
def test_every_provider_alias_builds_its_client(settings, name, client_class):
    settings.PROVIDER_CONNECT_TIMEOUT = 1.5
    settings.PROVIDER_READ_TIMEOUT = 9.0

    client = get_client(name)

    assert isinstance(client, client_class)
    assert client.timeout == (1.5, 9.0)
    assert client.base_url == provider_base_url(name)


def test_the_client_gets_its_options_from_settings(settings):
    settings.PROVIDERS = {
        **settings.PROVIDERS,
        "shipbob": {
            "BACKEND": "shipbacks.providers.shipbob.client.ShipBobClient",
            "OPTIONS": {"token": "pat", "channel_id": "100102", "base_url": "https://x.test"},
        },
    }

    client = get_client("shipbob")

    assert client.auth_headers() == {"Authorization": "Bearer pat", "shipbob_channel_id": "100102"}
    assert client.base_url == "https://x.test"


def test_clients_of_a_provider_keep_their_connections_alive_from_one_call_to_the_next():
    assert get_client("shipbob").session is get_client("shipbob").session


def test_each_provider_and_each_thread_has_a_session_of_its_own():
    from concurrent.futures import ThreadPoolExecutor

    here = get_client("shipbob").session
    with ThreadPoolExecutor(1) as pool:
        elsewhere = pool.submit(lambda: get_client("shipbob").session).result()

    assert elsewhere is not here
    assert get_client("kibo").session is not here


def test_an_unknown_alias_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured, match="nowhere"):
        get_client("nowhere")


@pytest.mark.parametrize("name", ["shippingbo", "shipbob", "kibo"])
def test_warehouse_adapters_share_one_interface(name):
    adapter = warehouse_adapter(name)

    for function in ("create_return_order", "get_return_order", "ensure_return_order"):
        assert callable(getattr(adapter, function))
    if adapter.CAN_FIND_BY_REFERENCE:
        assert callable(adapter.find_return_order)
    if adapter.CAN_CANCEL:
        assert callable(adapter.cancel_return_order)


def test_shoprunback_is_not_a_warehouse_provider():
    with pytest.raises(ImproperlyConfigured):
        warehouse_adapter("shoprunback")


def test_a_session_reads_the_proxy_and_ca_bundle_of_the_environment_once(settings, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("NO_PROXY", "kibo.example.com")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/company-ca.pem")
    settings.SHIPBOB_URL = "https://shipbob.example.com"
    settings.KIBO_URL = "https://kibo.example.com"

    shipbob, kibo = get_client("shipbob").session, get_client("kibo").session
    monkeypatch.setenv("HTTPS_PROXY", "http://another-proxy:3128")

    assert shipbob.proxies["https"] == "http://proxy.internal:3128"
    assert kibo.proxies == {}  # NO_PROXY names it
    assert shipbob.verify == kibo.verify == "/etc/company-ca.pem"
    # Not read again on each request: requests would merge the environment in.
    assert shipbob.trust_env is False
    assert get_client("shipbob").session.proxies["https"] == "http://proxy.internal:3128"


def test_a_provider_moved_to_another_url_gets_a_session_for_it(settings):
    settings.SHIPBOB_URL = "https://one.example.com"
    first = get_client("shipbob").session
    settings.SHIPBOB_URL = "https://two.example.com"

    assert get_client("shipbob").session is not first

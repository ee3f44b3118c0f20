import pytest

from tests.support.accounts import demo_people_load
from tongban.identity.models import Person, User
from tongban.identity.services import token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    demo_people_load()
    admin = User.objects.create_superuser("root", "Tongban@2026")
    client.force_login(admin)
    return client


@pytest.mark.parametrize(
    "model", ["person", "legalentity", "user", "businessauthorization", "apitoken"]
)
def test_every_identity_list_renders(admin_client, model):
    response = admin_client.get(f"/admin/identity/{model}/")
    assert response.status_code == 200


def test_persons_show_only_masked_data(admin_client):
    person = Person.objects.get(accounts__username="citizen1")
    for url in ("/admin/identity/person/", f"/admin/identity/person/{person.pk}/change/"):
        page = admin_client.get(url).content.decode()
        assert person.id_number_masked in page
        assert "sm4gcm:" not in page
        assert person.id_number_token not in page
        assert person.name not in page  # only the masked name


def test_a_person_is_found_by_the_full_id_number(admin_client):
    from tongban.identity.demo import DEMO_CITIZENS

    citizen = DEMO_CITIZENS[3]
    page = admin_client.get("/admin/identity/person/", {"q": citizen.id_number}).content.decode()
    assert "刘*" in page
    assert "张*" not in page


def test_the_user_forms_render(admin_client):
    user = User.objects.get(username="citizen1")
    assert admin_client.get("/admin/identity/user/add/").status_code == 200
    assert admin_client.get(f"/admin/identity/user/{user.pk}/change/").status_code == 200


def test_the_token_page_shows_the_prefix_not_the_token(admin_client):
    token, plaintext = token_create(user=User.objects.get(username="citizen1"), name="脚本")
    page = admin_client.get(f"/admin/identity/apitoken/{token.pk}/change/").content.decode()
    assert token.prefix in page
    assert plaintext not in page

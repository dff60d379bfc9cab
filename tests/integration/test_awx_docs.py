"""docs/awx.md holds what AWX users paste into forms; these tests hold it to the code.

Credential types: every injected environment variable is one the collection reads, every injector
template uses only declared inputs, and inputs that carry a secret are marked secret. Job templates:
each playbook is in the project template (docs/awx/project/) and imports a playbook of the
collection, and every extra or survey variable is one that playbook or its roles declare. The project
template's playbooks pass a syntax check, and its inventory sources sync against the sandbox with
the environment the credential types inject, as an AWX inventory update does; the group the
Configure example targets is one of theirs.
"""

from __future__ import annotations

import ast
import json
import pathlib
import re

import pytest
import yaml
from jinja2 import meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ansible_collections.vpsfleet.cloud.plugins.module_utils._providers.registry import PROVIDERS
from ansible_collections.vpsfleet.cloud.plugins.module_utils._payments.topup import WALLET_KEY_ENV

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
DOC = REPO_ROOT / "docs" / "awx.md"
PROJECT = REPO_ROOT / "docs" / "awx" / "project"
PLUGINS_WITH_ENV_OPTIONS = (REPO_ROOT / "plugins" / "inventory" / "vps.py",
                            REPO_ROOT / "plugins" / "lookup" / "vps_credentials.py")
FENCED_BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
PLAYBOOK_LINE = re.compile(r"^- Playbook: `([^`]+)`", re.M)
HEADER_VARIABLE = re.compile(r"^#   (\S.*?)(?:\s{2,}|$)")
INJECTOR_KINDS = ("env", "extra_vars", "file")
# AWX renders injector templates in a sandbox, with the inputs and ``tower`` (file paths) in scope.
AWX_TEMPLATES = ImmutableSandboxedEnvironment()


def subsections(markdown, level):
    """{heading: body} for the headings of one level (``#`` count) in a piece of Markdown."""
    parts = re.split(r"^%s (.+)$" % ("#" * level), markdown, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


def section(title_word):
    """The body of the one ``##`` section of docs/awx.md whose heading contains title_word."""
    found = [body for title, body in subsections(DOC.read_text(encoding="utf-8"), 2).items() if title_word in title]
    assert len(found) == 1, "expected one '## ...%s...' section in docs/awx.md" % title_word
    return found[0]


def blocks(markdown, language):
    """The parsed contents of the fenced blocks of one language."""
    load = json.loads if language == "json" else yaml.safe_load
    return [load(body) for lang, body in FENCED_BLOCK.findall(markdown) if lang == language]


def credential_types():
    """{name: (inputs, injectors)} from the "Credential types" section."""
    types = {}
    for name, body in subsections(section("Credential types"), 3).items():
        documents = blocks(body, "yaml")
        inputs = [doc for doc in documents if "fields" in doc]
        injectors = [doc for doc in documents if set(doc) & set(INJECTOR_KINDS)]
        assert len(inputs) == 1 and len(injectors) == 1, "%s: one input and one injector configuration" % name
        types[name] = (inputs[0], injectors[0])
    return types


def job_templates():
    """{name: (project playbook, its extra variables, its survey variables)} from "Job templates"."""
    templates = {}
    for name, body in subsections(section("Job templates"), 3).items():
        playbook = PLAYBOOK_LINE.search(body)
        if not playbook:
            continue  # the workflow, which runs job templates rather than a playbook
        extra_vars = [key for doc in blocks(body, "yaml") for key in doc]
        survey_vars = [question["variable"] for doc in blocks(body, "json") for question in doc["spec"]]
        templates[name] = (playbook.group(1), extra_vars, survey_vars)
    return templates


def injector_templates(injectors):
    """(kind, key, template) for every value AWX renders."""
    return [(kind, key, template) for kind in INJECTOR_KINDS for key, template in injectors.get(kind, {}).items()]


def env_vars_the_collection_reads():
    """Environment variable names from the provider table, the wallet key, and plugin option docs."""
    names = {spec[key] for spec in PROVIDERS.values() for key in ("key_env", "url_env")} | {WALLET_KEY_ENV}
    for plugin in PLUGINS_WITH_ENV_OPTIONS:
        documentation = next(node.value.value for node in ast.parse(plugin.read_text(encoding="utf-8")).body
                             if isinstance(node, ast.Assign) and node.targets[0].id == "DOCUMENTATION")
        for option in yaml.safe_load(documentation)["options"].values():
            names |= {entry["name"] for entry in option.get("env", [])}
    return names


def secret_env_vars():
    """The variables that hold a key: API keys and the wallet key (URLs are not secret)."""
    return {spec["key_env"] for spec in PROVIDERS.values()} | {WALLET_KEY_ENV}


def imported_collection_playbook(project_playbook):
    """The collection playbook file a project playbook imports (``vpsfleet.cloud.<name>``)."""
    plays = yaml.safe_load((PROJECT / project_playbook).read_text(encoding="utf-8"))
    imported = [play["ansible.builtin.import_playbook"] for play in plays]
    assert len(imported) == 1 and imported[0].startswith("vpsfleet.cloud."), imported
    return REPO_ROOT / "playbooks" / (imported[0].split(".")[-1] + ".yml")


def declared_variables(collection_playbook):
    """Variables a playbook declares: its header's "Variables:" list and its roles' argument specs."""
    declared = set()
    header = collection_playbook.read_text(encoding="utf-8").split("# Variables:", 1)[1].split("\n#\n", 1)[0]
    for line in header.splitlines():
        match = HEADER_VARIABLE.match(line)
        if match:
            declared |= set(re.findall(r"\b[a-z][a-z0-9_]*[a-z0-9]\b(?!\*)", match.group(1)))
    for play in yaml.safe_load(collection_playbook.read_text(encoding="utf-8")):
        for role in play.get("roles", []):
            role_name = (role["role"] if isinstance(role, dict) else role).split(".")[-1]
            specs = yaml.safe_load((REPO_ROOT / "roles" / role_name / "meta" / "argument_specs.yml").read_text())
            declared |= set(specs["argument_specs"]["main"]["options"])
    return declared


def job_template_extra_vars(name):
    """The extra variables a job template's section shows, merged."""
    body = subsections(section("Job templates"), 3)[name]
    merged = {}
    for document in blocks(body, "yaml"):
        merged.update(document)
    return merged


def render_env(credential_type, inputs):
    """The environment AWX gives a job or sync that uses a credential of this type."""
    injectors = credential_types()[credential_type][1]
    return {name: AWX_TEMPLATES.from_string(template).render(**inputs) for name, template in injectors["env"].items()}


def test_the_page_documents_a_credential_type_for_each_secret_and_the_job_templates():
    assert set(credential_types()) == {"VPSCrypto API", "Otwa Cloud API", "vpsfleet wallet",
                                       "vpsfleet bootstrap SSH key"}
    assert set(job_templates()) == {"Provision", "Configure", "Decommission"}


@pytest.mark.parametrize("name", sorted(credential_types()))
def test_each_injected_environment_variable_is_read_by_the_collection(name):
    injected = set(credential_types()[name][1].get("env", {}))

    assert injected <= env_vars_the_collection_reads(), injected - env_vars_the_collection_reads()


@pytest.mark.parametrize("name", sorted(credential_types()))
def test_injector_templates_use_only_declared_inputs_and_every_input_is_injected(name):
    inputs, injectors = credential_types()[name]
    declared = {field["id"] for field in inputs["fields"]}
    used = set()
    for kind, key, template in injector_templates(injectors):
        referenced = meta.find_undeclared_variables(AWX_TEMPLATES.parse(template)) - {"tower"}
        assert referenced <= declared, "%s.%s uses undeclared %s" % (kind, key, referenced - declared)
        used |= referenced

    assert used == declared, "inputs never injected: %s" % (declared - used)
    assert set(inputs.get("required", [])) <= declared


@pytest.mark.parametrize("name", sorted(credential_types()))
def test_inputs_that_reach_a_key_or_a_file_are_secret(name):
    inputs, injectors = credential_types()[name]
    secret_targets = [(kind, key, template) for kind, key, template in injector_templates(injectors)
                      if kind == "file" or key in secret_env_vars()]
    must_be_secret = set()
    for _kind, _key, template in secret_targets:
        must_be_secret |= meta.find_undeclared_variables(AWX_TEMPLATES.parse(template)) - {"tower"}

    not_secret = {field["id"] for field in inputs["fields"] if field["id"] in must_be_secret and not field.get("secret")}
    assert not not_secret, "%s: mark %s secret: true" % (name, sorted(not_secret))


def test_the_wallet_key_and_both_api_keys_each_have_a_credential_type():
    injected = {env for _inputs, injectors in credential_types().values() for env in injectors.get("env", {})}

    assert secret_env_vars() <= injected


def test_the_ssh_key_file_ends_with_a_newline_as_openssh_requires():
    injectors = credential_types()["vpsfleet bootstrap SSH key"][1]
    key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----"

    rendered = [AWX_TEMPLATES.from_string(template).render(ssh_private_key=key)
                for template in injectors["file"].values()]

    assert rendered == [key + "\n"]


def test_extra_vars_injected_by_credentials_are_declared_by_the_provision_playbook():
    declared = declared_variables(REPO_ROOT / "playbooks" / "provision.yml")
    injected = {key for _inputs, injectors in credential_types().values() for key in injectors.get("extra_vars", {})}

    assert injected and injected <= declared, injected - declared


@pytest.mark.parametrize("name", sorted(job_templates()))
def test_each_job_template_playbook_is_in_the_project_and_imports_a_collection_playbook(name):
    project_playbook = job_templates()[name][0]

    assert (PROJECT / project_playbook).is_file(), project_playbook
    assert imported_collection_playbook(project_playbook).is_file()


@pytest.mark.parametrize("name", sorted(job_templates()))
def test_each_extra_and_survey_variable_is_declared_by_the_playbook_or_its_roles(name):
    project_playbook, extra_vars, survey_vars = job_templates()[name]
    declared = declared_variables(imported_collection_playbook(project_playbook))

    assert extra_vars, "%s shows no extra variables" % name
    assert set(extra_vars + survey_vars) <= declared, set(extra_vars + survey_vars) - declared


@pytest.mark.parametrize("playbook", sorted(path.name for path in PROJECT.glob("*.yml")))
def test_the_project_template_playbooks_pass_a_syntax_check(ansible, playbook):
    run = ansible.run("ansible-playbook", ["--syntax-check", "-i", "localhost,", PROJECT / playbook], json_output=False)

    assert run.rc == 0, run.stdout + run.stderr


INVENTORY_SOURCES = [("vpscrypto", "VPSCrypto API"), ("otwa", "Otwa Cloud API")]


def inventory_source_environment():
    """The environment variables the inventory section sets on each source (a YAML block of them)."""
    documents = [doc for doc in blocks(section("The inventory"), "yaml")
                 if isinstance(doc, dict) and all(str(key).isupper() for key in doc)]
    assert len(documents) == 1, "expected one YAML block of environment variables in the inventory section"
    return dict((key, str(value)) for key, value in documents[0].items())


def sync_inventory_source(ansible, sandbox, provider, credential_type, servers, api_key=None):
    """A new sandbox account with ``servers`` servers, synced as AWX does: (account, ansible-inventory run)."""
    account = sandbox.create_account(provider)
    sandbox.seed_servers(account["api_key"], servers, name_prefix=provider)
    url = sandbox.vpscrypto_url if provider == "vpscrypto" else sandbox.otwa_url
    env = render_env(credential_type, {"api_key": api_key or account["api_key"], "api_url": url})
    env.update(inventory_source_environment())
    # What an AWX inventory update runs, with only the credential's and the source's variables set.
    return account, ansible.inventory(PROJECT / "inventories" / ("%s.vps.yml" % provider), "--export", env=env)


@pytest.mark.parametrize("provider, credential_type", INVENTORY_SOURCES)
def test_a_sync_with_a_key_that_does_not_work_fails_instead_of_emptying_the_inventory(
        ansible, clean_sandbox, provider, credential_type):
    revoked = "vpsk_" + "0" * 40 if provider == "vpscrypto" else "otwa_" + "0" * 40

    run = sync_inventory_source(ansible, clean_sandbox, provider, credential_type, 1, api_key=revoked)[1]

    assert run.rc != 0, run.stdout
    assert "account" in run.stderr


@pytest.mark.parametrize("provider, credential_type", INVENTORY_SOURCES)
def test_an_inventory_source_syncs_with_the_environment_its_credential_type_injects(
        ansible, clean_sandbox, provider, credential_type):
    account, run = sync_inventory_source(ansible, clean_sandbox, provider, credential_type, 2)

    assert run.rc == 0, run.stderr
    hostvars = run.json["_meta"]["hostvars"]
    assert sorted(hostvars) == ["%s-0001" % provider, "%s-0002" % provider]
    assert not any("ansible_password" in variables for variables in hostvars.values())
    assert account["api_key"] not in run.stdout + run.stderr


def test_the_configure_example_targets_a_group_the_synced_inventory_has(ansible, clean_sandbox):
    target = job_template_extra_vars("Configure")["target"]
    groups = set()
    for provider, credential_type in INVENTORY_SOURCES:
        run = sync_inventory_source(ansible, clean_sandbox, provider, credential_type, 1)[1]
        assert run.rc == 0, run.stderr
        groups |= {group for group, body in run.json.items() if group != "_meta" and body.get("hosts")}

    assert target in groups, sorted(groups)

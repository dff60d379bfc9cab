"""OpenAPI documents as JSON Schema: operations, and response schemas with $refs inlined and `nullable` turned into type unions."""

import json

HTTP_METHODS = ("get", "put", "post", "delete", "patch")


def load_spec(path):
    """The parsed OpenAPI document."""
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def operations(spec):
    """(path, METHOD, operation) for every operation of the spec, in document order."""
    return [(path, method.upper(), operation)
            for path, item in spec["paths"].items()
            for method, operation in item.items() if method in HTTP_METHODS]


def _resolve(spec, ref):
    node = spec
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return node


def to_json_schema(spec, node, strict=False, optional=None, _name=None):
    """A self-contained JSON Schema for an OpenAPI schema node (3.0 `nullable` -> `["type", "null"]`).

    With `strict`, every property an object declares is required: the specs mostly leave out
    `required`, which would let an answer drop any field unnoticed. `optional` ({component schema
    name: {property, ...}}) exempts properties the spec says may be absent.
    """
    if isinstance(node, list):
        return [to_json_schema(spec, item, strict, optional) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return to_json_schema(spec, _resolve(spec, node["$ref"]), strict, optional, node["$ref"].rsplit("/", 1)[-1])
    schema = {key: to_json_schema(spec, value, strict, optional) for key, value in node.items()
              if key not in ("nullable", "example", "description")}
    if strict and isinstance(node.get("properties"), dict):
        exempt = set((optional or {}).get(_name, ()))
        schema["required"] = sorted((set(node["properties"]) - exempt) | set(node.get("required", ())))
    if node.get("nullable"):
        if isinstance(schema.get("type"), str):
            schema["type"] = [schema["type"], "null"]
            if "enum" in schema:
                schema["enum"] = list(schema["enum"]) + [None]
        else:
            schema = {"anyOf": [schema, {"type": "null"}]}
    return schema


def component_schema(spec, name, strict=False, optional=None):
    """The JSON Schema of `#/components/schemas/<name>`."""
    return to_json_schema(spec, {"$ref": f"#/components/schemas/{name}"}, strict, optional)


def response_spec(spec, operation, status):
    """The response object documented for status (refs resolved), else None."""
    response = operation.get("responses", {}).get(str(status))
    if response is not None and "$ref" in response:
        response = _resolve(spec, response["$ref"])
    return response


def response_schema(spec, operation, status, strict=False, optional=None):
    """The JSON Schema of the application/json body documented for status, else None (see to_json_schema)."""
    response = response_spec(spec, operation, status)
    content = (response or {}).get("content", {}).get("application/json")
    return to_json_schema(spec, content["schema"], strict, optional) if content and "schema" in content else None


def requires_auth(spec, operation):
    """True when the operation needs a credential (operation-level `security` overrides the global one)."""
    return bool(operation.get("security", spec.get("security", [])))

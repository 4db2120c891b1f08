"""Label schemas: parsing, validation messages that name the field, attribute checks."""

import dataclasses
import json

import pytest

from core.schema import Label, LabelSchema, SchemaError, Tier, load_schema

GOOD = {
    "labels": [
        {"name": "car", "color": "#FF0000", "hotkey": "1", "shapes": ["box", "polygon"],
         "attributes": [
             {"name": "occluded", "type": "checkbox", "default": False},
             {"name": "colour", "type": "select", "options": ["red", "blue"]},
             {"name": "plate", "type": "text"},
             {"name": "passengers", "type": "number", "min": 0, "max": 9},
         ]},
        {"name": "person"},
    ]
}


def test_schema_round_trips_and_fills_defaults():
    schema = LabelSchema.from_json(GOOD)
    assert schema.names() == ["car", "person"]
    car = schema.get("car")
    assert car.color == "#ff0000" and car.hotkey == "1" and car.allows("box") and not car.allows("point")
    assert schema.get("person").color.startswith("#") and schema.get("person").allows("polygon")
    assert car.initial_attributes() == {"occluded": False, "colour": "red", "plate": "", "passengers": 0}
    assert LabelSchema.from_json(schema.to_json()) == schema
    assert schema.by_hotkey("1") is car


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["labels"][0].update(color="red"), r"labels\[0\].color"),
        (lambda d: d["labels"][0].update(hotkey="x"), r"labels\[0\].hotkey"),
        (lambda d: d["labels"][0].update(shapes=["blob"]), r"labels\[0\].shapes"),
        (lambda d: d["labels"][1].update(name="car"), "name 'car' is used twice"),
        (lambda d: d["labels"][0]["attributes"][1].update(options=[]), r"attributes\[1\].options"),
        (lambda d: d["labels"][0]["attributes"][3].update(default=20), r"attributes\[3\].default"),
        (lambda d: d["labels"][0]["attributes"][0].update(type="color"), r"attributes\[0\].type"),
    ],
)
def test_bad_schemas_name_the_field(mutate, message):
    data = json.loads(json.dumps(GOOD))
    mutate(data)
    with pytest.raises(SchemaError, match=message):
        LabelSchema.from_json(data)


def test_load_schema_names_the_file(tmp_path):
    broken = tmp_path / "labels.json"
    broken.write_text('{"labels": [', encoding="utf-8")
    with pytest.raises(SchemaError, match=r"labels\.json: not valid JSON"):
        load_schema(broken)
    broken.write_text(json.dumps({"labels": [{"name": ""}]}), encoding="utf-8")
    with pytest.raises(SchemaError, match=r"labels\.json: labels\[0\]\.name"):
        load_schema(broken)


def test_attribute_values_are_checked_against_their_spec():
    car = LabelSchema.from_json(GOOD).get("car")
    assert car.validate_attributes({"occluded": True, "passengers": 3}) == {"occluded": True, "passengers": 3}
    for bad in ({"occluded": "yes"}, {"colour": "green"}, {"passengers": 10}, {"plate": 5}, {"wheels": 4}):
        with pytest.raises(SchemaError):
            car.validate_attributes(bad)


def test_with_label_adds_a_free_hotkey_and_colour():
    schema = LabelSchema.from_json(GOOD).with_label("bus")
    bus = schema.get("bus")
    assert bus.hotkey == "2" and bus.color.startswith("#")
    assert schema.with_label("bus") is schema


def test_tag_mode_defaults_to_multi_round_trips_and_is_validated():
    data = {"labels": [{"name": "sunny", "shapes": ["tag"], "tag_mode": "single"}, {"name": "blurry"}]}
    schema = LabelSchema.from_json(data)
    assert schema.get("sunny").tag_mode == "single" and schema.get("blurry").tag_mode == "multi"
    assert schema.to_json()["labels"][0]["tag_mode"] == "single"
    assert "tag_mode" not in schema.to_json()["labels"][1]  # the default is not written out
    assert LabelSchema.from_json(schema.to_json()) == schema
    data["labels"][1]["tag_mode"] = "exclusive"
    with pytest.raises(SchemaError, match=r"labels\[1\]\.tag_mode: expected one of \['multi', 'single'\]"):
        LabelSchema.from_json(data)


def test_labels_added_by_imports_and_models_keep_the_audio_tiers():
    schema = LabelSchema((Label("speech", "#123456"),), (Tier("speaker", ("speech",)),))
    grown = schema.with_label("noise")
    grown = grown.with_last_label(dataclasses.replace(grown.labels[-1], keypoints=()))
    assert grown.tiers == schema.tiers and grown.names() == ["speech", "noise"]

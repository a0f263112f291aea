"""The outlet chosen as a locality's service point is one of those considered: a
constraint trigger checks it at commit (deferred, since a choice is stored before
the outlets it considered), for the choice's row and for an outlet unticked."""

from django.db import migrations

CHECK = """
CREATE FUNCTION outlets_service_point_chosen_considered() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    choice_id bigint;
BEGIN
    IF TG_TABLE_NAME = 'outlets_servicepointchoice' THEN
        choice_id := NEW.id;
    ELSE
        choice_id := OLD.servicepointchoice_id;
    END IF;
    IF EXISTS (
        SELECT 1 FROM outlets_servicepointchoice choice
        WHERE choice.id = choice_id
        AND NOT EXISTS (
            SELECT 1 FROM outlets_servicepointchoice_considered considered
            WHERE considered.servicepointchoice_id = choice.id
            AND considered.outlet_id = choice.chosen_id
        )
    ) THEN
        RAISE EXCEPTION 'The outlet chosen must be among the outlets considered.'
            USING ERRCODE = 'check_violation',
            CONSTRAINT = 'outlets_servicepointchoice_chosen_considered';
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER outlets_servicepointchoice_chosen_considered
    AFTER INSERT OR UPDATE OF chosen_id ON outlets_servicepointchoice
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION outlets_service_point_chosen_considered();
CREATE CONSTRAINT TRIGGER outlets_servicepointchoice_considered_kept
    AFTER DELETE OR UPDATE ON outlets_servicepointchoice_considered
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION outlets_service_point_chosen_considered();
"""

DROP = """
DROP TRIGGER IF EXISTS outlets_servicepointchoice_considered_kept
    ON outlets_servicepointchoice_considered;
DROP TRIGGER IF EXISTS outlets_servicepointchoice_chosen_considered
    ON outlets_servicepointchoice;
DROP FUNCTION IF EXISTS outlets_service_point_chosen_considered();
"""


class Migration(migrations.Migration):
    dependencies = [("outlets", "0009_service_point_choice")]

    operations = [migrations.RunSQL(CHECK, DROP)]

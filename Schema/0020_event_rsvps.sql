-- Events families can find and answer (issue 16, build 6): the languages spoken there, a
-- reminder lead time (NULL for none), RSVPs with an optional consented contact, and check-ins
-- that say whether the person checked themselves in and which RSVP they came on. See docs/events.md.
ALTER TABLE events
    ADD COLUMN languages text[] NOT NULL DEFAULT '{}' CHECK (cardinality(languages) <= 20),
    ADD COLUMN reminder_hours integer DEFAULT 24 CHECK (reminder_hours BETWEEN 1 AND 336);

CREATE TABLE event_rsvps (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    stakeholder_group stakeholder_group NOT NULL,
    -- The people coming on the one answer (a parent and two children: 3).
    party_size integer NOT NULL DEFAULT 1 CHECK (party_size BETWEEN 1 AND 20),
    -- Only with consent; erased with the person.
    participant_id bigint REFERENCES participants (id) ON DELETE SET NULL,
    language text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX event_rsvps_event ON event_rsvps (event_id, id);
-- One RSVP a person an event: a second answer with the same contact is the same RSVP.
CREATE UNIQUE INDEX event_rsvps_person ON event_rsvps (event_id, participant_id) WHERE participant_id IS NOT NULL;

ALTER TABLE attendance
    ADD COLUMN rsvp_id bigint REFERENCES event_rsvps (id) ON DELETE SET NULL,
    ADD COLUMN self_checkin boolean NOT NULL DEFAULT false;
-- An RSVP is checked in once.
CREATE UNIQUE INDEX attendance_rsvp ON attendance (rsvp_id) WHERE rsvp_id IS NOT NULL;

-- The home page's upcoming events: those not over, among years of past ones.
CREATE INDEX events_upcoming ON events (ends_at) WHERE cancelled_at IS NULL;

-- Survey invitations (issue 16, build 7): staff upload a contact list with consent; each contact
-- gets a unique link and reminders until they answer. An invitation records only THAT its person
-- answered — a flag, no time — and nothing joins a response to an invitation (no column either
-- way, A4). A named (not anonymous) survey links the response through responses.participant_id,
-- as any named response. See docs/invitations.md.
CREATE TABLE survey_invitations (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    survey_id bigint NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    -- The consented contact; erased with the person.
    participant_id bigint REFERENCES participants (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    responded boolean NOT NULL DEFAULT false,
    reminders integer NOT NULL DEFAULT 0 CHECK (reminders BETWEEN 0 AND 10)
);
CREATE UNIQUE INDEX survey_invitations_person ON survey_invitations (survey_id, participant_id) WHERE participant_id IS NOT NULL;
CREATE INDEX survey_invitations_survey ON survey_invitations (survey_id) INCLUDE (responded);

-- Optional seed data: the nine datacenters of the deployment Vantage replaces, and their regions (the codes, names
-- and regions the old agent shipped in its data.sql). Applied by `vantage migrate --seed`, never by plain `migrate`.
--
-- Idempotent and safe to run twice: a region whose region_code exists, or a datacenter whose code exists in any
-- case (the old agent stored 'va', DATACENTER_ID matches codes case-insensitively), is left as it is, so rows a
-- user has renamed or moved to another region keep the user's values. The file is a Flyway repeatable migration
-- recorded in its own history table (see Migrations.seed): editing it re-applies it on the next --seed run.

INSERT INTO regions (name, region_code, group_name)
VALUES ('US East', 'us-east-1', 'US'),
       ('US West', 'us-west-1', 'US'),
       ('Europe West', 'eu-west-2', 'Europe'),
       ('Europe North', 'eu-north-1', 'Europe'),
       ('Oceania', 'ap-southeast-2', 'Oceania')
ON CONFLICT (region_code) DO NOTHING;

INSERT INTO datacenters (code, name, region_id)
SELECT seed.code, seed.name, r.id
FROM (VALUES ('VA', 'Virginia', 'us-east-1'),
             ('NY', 'New York', 'us-east-1'),
             ('RDN', 'Richardson', 'us-east-1'),
             ('CHI', 'Chicago', 'us-east-1'),
             ('SF', 'San Francisco', 'us-west-1'),
             ('LON', 'London', 'eu-west-2'),
             ('DAM', 'Amsterdam', 'eu-west-2'),
             ('STO', 'Stockholm', 'eu-north-1'),
             ('SYD', 'Sydney', 'ap-southeast-2')) AS seed (code, name, region_code)
LEFT JOIN regions r ON r.region_code = seed.region_code
WHERE NOT EXISTS (SELECT 1 FROM datacenters d WHERE lower(d.code) = lower(seed.code))
ON CONFLICT (code) DO NOTHING;

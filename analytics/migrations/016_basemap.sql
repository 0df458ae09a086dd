-- 016: an offline basemap per region: settlements (points with names) and roads (lines).
-- The demo generates it with its region; a deployment loads its own from GeoJSON files
-- (python -m analytics.basemap FILE --region ID). Never fetched from a tile server.
CREATE TABLE basemap_features (
    region_id     VARCHAR NOT NULL,
    layer         VARCHAR NOT NULL,   -- place | road
    kind          VARCHAR NOT NULL,   -- place: city | town | village; road: main | local
    name          VARCHAR,            -- settlement name (places), road name or number (optional)
    geometry_json VARCHAR NOT NULL    -- GeoJSON geometry: Point (places), LineString / MultiLineString (roads)
);

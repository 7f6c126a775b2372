"""VEX readers (OpenVEX, CSAF, CycloneDX vulnerabilities) and applying VEX to findings."""

// End-to-end tests boot real apps, databases and simulators: allow them time.
jest.setTimeout(60_000);

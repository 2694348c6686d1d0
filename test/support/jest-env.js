// Warnings are asserted through warningsOf(); printing them would only clutter the test output.
process.env.OBS_PLATFORM_WARNINGS = process.env.OBS_PLATFORM_WARNINGS ?? 'silent';

namespace Platform.NodeAgent.Tests;

/// <summary>
/// Golden-text comparison against files under Fixtures/. Set UPDATE_GOLDEN=1 to rewrite the files in the
/// source tree after an intended change, then review the diff.
/// </summary>
internal static class Golden
{
    public static void AssertMatches(string fixture, string actual)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", fixture);
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            var source = Path.Combine(SourceDirectory(), "Fixtures", fixture);
            File.WriteAllText(source, actual);
            return;
        }

        Assert.True(File.Exists(path), $"Golden file {fixture} is missing; run the tests with UPDATE_GOLDEN=1 once and review it.");
        Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), actual);
    }

    private static string SourceDirectory([System.Runtime.CompilerServices.CallerFilePath] string file = "") => Path.GetDirectoryName(file)!;
}

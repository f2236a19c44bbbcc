namespace Platform.DevicePlugin.Tests.TestSupport;

internal static class RepositoryRoot
{
    /// <summary>The folder holding Platform.sln, found by walking up from the test binaries.</summary>
    public static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Platform.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Platform.sln not found above {AppContext.BaseDirectory}; run the tests from the repository.");
    }
}

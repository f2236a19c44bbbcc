using System.Reflection;

namespace Platform.Sandbox.Hosting;

/// <summary>
/// Where the webhook and node agent were built (recorded by the sandbox's build): they run from their own output
/// folders with their own runtime configuration, exactly as `dotnet run` would run them.
/// </summary>
internal static class BuiltPrograms
{
    public static string Webhook => Find("Platform.Webhook");

    public static string NodeAgent => Find("Platform.NodeAgent");

    public static string RepositoryRoot => Find("RepositoryRoot");

    private static string Find(string key) =>
        typeof(BuiltPrograms).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value
        ?? throw new InvalidOperationException($"the sandbox was built without the location of {key}");
}

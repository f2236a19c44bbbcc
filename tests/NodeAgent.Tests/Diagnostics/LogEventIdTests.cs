using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Platform.NodeAgent.Tests.Diagnostics;

/// <summary>
/// Event ids are what alerts and log queries key on: within the agent process each means one thing, whichever
/// Platform assembly logs it (the agent and the device-plugin library it loads share one log stream).
/// </summary>
public sealed class LogEventIdTests
{
    [Fact]
    public void LoggerMessages_OfEveryPlatformAssemblyInTheAgent_EveryEventIdUsedOnce()
    {
        var assemblies = PlatformAssemblies(typeof(NodeAgentApp).Assembly);
        var methods = assemblies
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null)
            .ToList();

        var duplicates = methods
            .GroupBy(m => m.Attribute!.EventId)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => $"{m.Method.DeclaringType!.FullName}.{m.Method.Name}"))}")
            .ToList();

        Assert.Contains("Platform.DevicePlugin", assemblies.Select(a => a.GetName().Name));
        Assert.True(methods.Count > 80, $"only {methods.Count} [LoggerMessage] methods found: the reflection no longer sees them");
        Assert.True(duplicates.Count == 0, "event ids used twice: " + string.Join("; ", duplicates));
        Assert.DoesNotContain(methods, m => m.Attribute!.EventId == 0);
    }

    /// <summary>The agent's assembly and every Platform assembly it references, directly or not.</summary>
    private static List<Assembly> PlatformAssemblies(Assembly root)
    {
        var found = new List<Assembly>();
        var pending = new Stack<Assembly>([root]);
        while (pending.TryPop(out var assembly))
        {
            if (found.Contains(assembly))
            {
                continue;
            }

            found.Add(assembly);
            foreach (var reference in assembly.GetReferencedAssemblies().Where(r => r.Name?.StartsWith("Platform.", StringComparison.Ordinal) == true))
            {
                pending.Push(Assembly.Load(reference));
            }
        }

        return found;
    }
}

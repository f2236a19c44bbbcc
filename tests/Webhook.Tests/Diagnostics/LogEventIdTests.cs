using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Platform.Webhook.Tests.Diagnostics;

/// <summary>Event ids are what alerts and log queries key on: within the webhook process each means one thing.</summary>
public sealed class LogEventIdTests
{
    [Fact]
    public void LoggerMessages_EveryEventIdUsedOnce()
    {
        var methods = typeof(Program).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null)
            .ToList();

        var duplicates = methods
            .GroupBy(m => m.Attribute!.EventId)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => $"{m.Method.DeclaringType!.Name}.{m.Method.Name}"))}")
            .ToList();

        Assert.True(methods.Count > 10, $"only {methods.Count} [LoggerMessage] methods found: the reflection no longer sees them");
        Assert.True(duplicates.Count == 0, "event ids used twice: " + string.Join("; ", duplicates));
        Assert.DoesNotContain(methods, m => m.Attribute!.EventId == 0);
    }
}

using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;

namespace Platform.Webhook.Hosting;

/// <summary>Turns the ways a start can fail on configuration into one readable message for stderr.</summary>
internal static class StartupFailure
{
    /// <summary>The message for a known start failure, or null for a genuine bug (left to crash with its stack).</summary>
    public static string? Describe(Exception exception)
    {
        var lines = new List<string>();
        Collect(exception, lines);
        if (lines.Count == 0)
        {
            return null;
        }

        var text = new StringBuilder("raygpu-webhook cannot start:");
        foreach (var line in lines.Distinct(StringComparer.Ordinal))
        {
            text.Append(Environment.NewLine).Append(line);
        }

        return text.ToString();
    }

    private static SocketError? SocketErrorOf(Exception exception)
    {
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
            {
                return socket.SocketErrorCode;
            }
        }

        return null;
    }

    private static void Collect(Exception exception, List<string> lines)
    {
        switch (exception)
        {
            case AggregateException aggregate:
                foreach (var inner in aggregate.InnerExceptions)
                {
                    Collect(inner, lines);
                }

                break;
            case OptionsValidationException invalid:
                lines.AddRange(invalid.Failures.Select(f => "  - " + f));
                break;
            case WebhookStartupException startup:
                lines.Add("  " + startup.Message.Replace(Environment.NewLine, Environment.NewLine + "  ", StringComparison.Ordinal));
                break;
            case InvalidOperationException { Message: var text } when text.StartsWith("Failed to convert configuration value", StringComparison.Ordinal):
                // The configuration binder's own message names the key, the value and the type.
                lines.Add("  - " + text);
                break;
            case IOException io when SocketErrorOf(io) is { } socketError:
                lines.Add($"  - cannot listen: {io.Message} ({socketError}); check urls and Health:Port.");
                break;
            default:
                if (exception.InnerException is { } cause)
                {
                    Collect(cause, lines);
                }

                break;
        }
    }
}

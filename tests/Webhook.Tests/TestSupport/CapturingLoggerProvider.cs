using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Platform.Webhook.Tests.TestSupport;

/// <summary>Records every log entry the host writes (after its level filters), and lets a test await one by event id.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly Channel<LogEntry> _entries = Channel.CreateUnbounded<LogEntry>();

    public ConcurrentQueue<LogEntry> All { get; } = new();

    public Action<IServiceCollection> Install => services => services.AddSingleton<ILoggerProvider>(this);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <summary>Waits (bounded) for the first entry with <paramref name="eventId"/>.</summary>
    public async Task<LogEntry> WaitForAsync(int eventId)
    {
        using var timeout = new CancellationTokenSource(Hosting.WebhookTestHost.Timeout);
        while (true)
        {
            var entry = await _entries.Reader.ReadAsync(timeout.Token);
            if (entry.EventId == eventId)
            {
                return entry;
            }
        }
    }

    public void Dispose()
    {
    }

    internal sealed record LogEntry(string Category, LogLevel Level, int EventId, string Message, Exception? Exception);

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var entry = new LogEntry(category, logLevel, eventId.Id, formatter(state, exception), exception);
            owner.All.Enqueue(entry);
            owner._entries.Writer.TryWrite(entry);
        }
    }
}

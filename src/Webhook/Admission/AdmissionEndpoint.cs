using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using Platform.Webhook.Diagnostics;

namespace Platform.Webhook.Admission;

/// <summary>
/// The HTTP edge of admission, on the HTTPS port only: refuses what is not an AdmissionReview
/// POST (405, 415, 413, 400) and hands the body to <see cref="AdmissionHandler"/>, whose answer
/// goes back with HTTP 200 whatever the decision, as the apiserver expects.
/// </summary>
internal sealed partial class AdmissionEndpoint(
    AdmissionHandler handler,
    IOptionsMonitor<AdmissionOptions> options,
    WebhookMetrics metrics,
    TimeProvider time,
    ILogger<AdmissionEndpoint> logger)
{
    public const string Path = "/mutate";

    /// <summary>How long a body may take to arrive once its first bytes have: the apiserver's longest webhook timeout.</summary>
    public static readonly TimeSpan BodyTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The apiserver caps request bodies at 3 MiB; a larger one is not from it.</summary>
    public const int MaxBodyBytes = 3 * 1024 * 1024;

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        if (!string.Equals(request.Path.Value, Path, StringComparison.Ordinal))
        {
            await RefuseAsync(context, StatusCodes.Status404NotFound, $"Not found: admission is served at POST {Path}; health and metrics are on the plain-HTTP port (Health:Port).").ConfigureAwait(false);
            return;
        }

        if (!HttpMethods.IsPost(request.Method))
        {
            response.Headers.Allow = "POST";
            await RefuseAsync(context, StatusCodes.Status405MethodNotAllowed, $"Method {request.Method} not allowed: send the AdmissionReview with POST.").ConfigureAwait(false);
            return;
        }

        if (!IsJson(request.ContentType))
        {
            await RefuseAsync(context, StatusCodes.Status415UnsupportedMediaType, $"Content-Type '{request.ContentType}' not supported: send the AdmissionReview as application/json.").ConfigureAwait(false);
            return;
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            await RefuseAsync(context, StatusCodes.Status413PayloadTooLarge, TooLarge).ConfigureAwait(false);
            return;
        }

        var reader = request.BodyReader;
        var started = time.GetTimestamp();
        ReadResult read;
        CancellationTokenSource? deadline = null;
        try
        {
            while (true)
            {
                // No token: a read ends by itself when the connection does, and a read cancelled by token leaves
                // Kestrel's body reader mid-read, which then fails its own drain of the request.
                read = await reader.ReadAsync().ConfigureAwait(false);
                if (read.Buffer.Length > MaxBodyBytes)
                {
                    reader.AdvanceTo(read.Buffer.End);
                    await RefuseAsync(context, StatusCodes.Status413PayloadTooLarge, TooLarge).ConfigureAwait(false);
                    return;
                }

                // A cancelled read is not the end of the body: the server is closing the connection (or a read was
                // cancelled under us), and what arrived so far is a prefix that must never be parsed.
                if (read.IsCanceled)
                {
                    reader.AdvanceTo(read.Buffer.End);
                    await BodyIncompleteAsync(context, deadline?.IsCancellationRequested == true
                        ? $"the body was not complete after {BodyTimeout.TotalSeconds} s"
                        : "the read was cancelled before the body was complete").ConfigureAwait(false);
                    return;
                }

                if (read.IsCompleted)
                {
                    break;
                }

                // Nothing consumed, everything examined: wake up again only when more has arrived.
                reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);

                // The apiserver sends a review at once; a body still arriving after BodyTimeout holds a connection
                // that the connection cap counts as busy (a trickle can meet Kestrel's minimum rate for hours).
                // Armed only here, so the usual body, complete on the first read, costs no timer.
                if (deadline is null)
                {
                    deadline = new CancellationTokenSource(BodyTimeout, time);
                    deadline.Token.UnsafeRegister(static state => ((PipeReader)state!).CancelPendingRead(), reader);
                    LogBodyInParts(logger, read.Buffer.Length, request.ContentLength, BodyTimeout.TotalSeconds);
                }
            }
        }
        catch (Exception e) when (IsClientFailure(e, context))
        {
            // Kestrel throws when the connection ends before Content-Length (or the last chunk) arrived, when the
            // body arrives slower than MinRequestBodyDataRate, and when the caller goes away: the client's doing,
            // counted and answered here rather than logged by the server as an unhandled application error.
            await BodyIncompleteAsync(context, e.Message).ConfigureAwait(false);
            return;
        }
        finally
        {
            deadline?.Dispose();
        }

        if (request.ContentLength is { } expected && read.Buffer.Length != expected)
        {
            reader.AdvanceTo(read.Buffer.End);
            await BodyIncompleteAsync(context, $"{read.Buffer.Length} of {expected} bytes arrived").ConfigureAwait(false);
            return;
        }

        if (context.RequestAborted.IsCancellationRequested)
        {
            // The caller left while its body was completing: no one is waiting for the work.
            reader.AdvanceTo(read.Buffer.End);
            await BodyIncompleteAsync(context, "the caller went away").ConfigureAwait(false);
            return;
        }

        byte[]? rented = null;
        AdmissionOutcome outcome;
        try
        {
            ReadOnlySpan<byte> body;
            if (read.Buffer.IsSingleSegment)
            {
                body = read.Buffer.FirstSpan;
            }
            else
            {
                rented = ArrayPool<byte>.Shared.Rent((int)read.Buffer.Length);
                read.Buffer.CopyTo(rented);
                body = rented.AsSpan(0, (int)read.Buffer.Length);
            }

            outcome = Handle(body, context.RequestAborted);
        }
        catch (BadAdmissionRequestException e)
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, e.Message).ConfigureAwait(false);
            return;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The caller left while its review was being worked on: the work stopped with it.
            await BodyIncompleteAsync(context, "the caller went away while its review was handled").ConfigureAwait(false);
            return;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }

            reader.AdvanceTo(read.Buffer.End);
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        response.ContentLength = outcome.ResponseBody.Length;
        try
        {
            await response.Body.WriteAsync(outcome.ResponseBody, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (IsClientFailure(e, context))
        {
            // The caller left before its answer was written; the apiserver applies its failurePolicy.
            LogAnswerUndelivered(logger, outcome.Uid, e.Message);
        }

        metrics.AdmissionAnswered(outcome.PodKind, outcome.Decision, time.GetElapsedTime(started));
    }

    /// <summary>
    /// Failures of the connection rather than of the webhook: a body that ended early or came too slowly
    /// (Kestrel's BadHttpRequestException), a reset, the connection aborted (by the server's shutdown, the
    /// connection cap, or the transport), or the caller gone (RequestAborted).
    /// </summary>
    private static bool IsClientFailure(Exception exception, HttpContext context) => exception switch
    {
        Microsoft.AspNetCore.Http.BadHttpRequestException => true,
        // Checked before RequestAborted: Kestrel's abort fails a pending body read with this at once but only
        // queues RequestAborted's cancellation to the thread pool, so the token may not be set yet when it is caught.
        ConnectionAbortedException => true,
        OperationCanceledException => context.RequestAborted.IsCancellationRequested,
        IOException => true,
        _ => false,
    };

    /// <summary>The body did not arrive in full. Never parsed; answered 503 while the connection can still carry
    /// an answer (the apiserver then applies its failurePolicy or retries elsewhere), else the connection is dropped.</summary>
    private async Task BodyIncompleteAsync(HttpContext context, string reason)
    {
        metrics.BodyIncomplete();
        LogBodyIncomplete(logger, reason);
        if (context.RequestAborted.IsCancellationRequested || context.Response.HasStarted)
        {
            context.Abort();
            return;
        }

        try
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.Connection = "close";
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync("Request body incomplete: not parsed; send the AdmissionReview again.\n", context.RequestAborted).ConfigureAwait(false);
            await context.Response.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (IsClientFailure(e, context))
        {
            // Nobody left to answer.
        }

        // The rest of the body will not come (or not in time): close the connection rather than let the server
        // wait to drain it. The answer may be cut off by this; the caller then sees the connection drop, which
        // it treats as the 503 (a failed call, per its failurePolicy).
        context.Abort();
    }

    private AdmissionOutcome Handle(ReadOnlySpan<byte> body, CancellationToken cancellationToken)
    {
        try
        {
            return handler.Handle(body, cancellationToken);
        }
        catch (Exception e) when (e is not BadAdmissionRequestException
            && !(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            var uid = AdmissionFallback.FindUid(body)
                ?? throw new BadAdmissionRequestException("request.uid is missing: the body is not an AdmissionReview v1 with a request.");
            var allow = options.CurrentValue.OnError == OnErrorAction.Allow;
            LogHandlerFailed(logger, e, uid, allow ? "allowed" : "denied");
            var message = allow
                ? "raygpu-webhook: internal error, pod admitted unchanged (Admission:OnError=allow)"
                : "raygpu-webhook: internal error, pod denied (Admission:OnError=deny)";
            return new AdmissionOutcome(AdmissionFallback.Response(uid, allow, message), uid, "error", "other", null);
        }
    }

    private async Task RefuseAsync(HttpContext context, int statusCode, string message)
    {
        metrics.BadRequest(statusCode);
        LogRefused(logger, context.Request.Method, context.Request.Path.Value ?? "", statusCode, message);
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "text/plain; charset=utf-8";
        try
        {
            await context.Response.WriteAsync(message + "\n", context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (IsClientFailure(e, context))
        {
            context.Abort();
        }
    }

    private static bool IsJson(string? contentType)
    {
        // application/json, optionally with parameters (charset=utf-8); media types are case-insensitive.
        const string Json = "application/json";
        if (contentType is null || !contentType.StartsWith(Json, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var rest = contentType.AsSpan(Json.Length).TrimStart();
        return rest.IsEmpty || rest[0] == ';';
    }

    private static readonly string TooLarge = $"Request body larger than {MaxBodyBytes} bytes (3 MiB, the apiserver's own limit): not an AdmissionReview.";

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information,
        Message = "Refused {HttpMethod} {HttpPath} with {HttpStatusCode}: {RefusalReason}")]
    private static partial void LogRefused(ILogger logger, string httpMethod, string httpPath, int httpStatusCode, string refusalReason);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Error,
        Message = "The admission handler failed on request {AdmissionUid}; the pod is {AdmissionDecision} per Admission:OnError.")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string admissionUid, string admissionDecision);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Debug,
        Message = "Request body incomplete, not parsed: {RefusalReason}")]
    private static partial void LogBodyIncomplete(ILogger logger, string refusalReason);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Debug,
        Message = "Request body arriving in parts ({ReceivedBytes} of {ContentLength} bytes so far); it has {BodyTimeoutSeconds} s to complete.")]
    private static partial void LogBodyInParts(ILogger logger, long receivedBytes, long? contentLength, double bodyTimeoutSeconds);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Debug,
        Message = "The answer to {AdmissionUid} was not delivered: {RefusalReason}")]
    private static partial void LogAnswerUndelivered(ILogger logger, string admissionUid, string refusalReason);
}

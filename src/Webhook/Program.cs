using Platform.Webhook.Cli;

if (WebhookCli.IsCliCommand(args))
{
    return WebhookCli.Run(args, Console.In, Console.Out, Console.Error);
}

return 0;
